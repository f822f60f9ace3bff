// A recorded text editing session (Joseph Gentle's editing-traces format) read from gzip JSON.
package dev.chorus.load.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * An editing trace: the transactions that turn {@code startContent} into {@code endContent}. Both
 * formats of the collection are read: sequential (transactions apply one after another) and
 * concurrent ({@code "kind": "concurrent"}; each transaction names its parents and agent). The
 * bundled traces live on the classpath under {@code /traces/} (see {@code traces/README.md} for
 * their origin and licence).
 */
public record EditingTrace(
    String name,
    boolean concurrent,
    int agentCount,
    String startContent,
    String endContent,
    List<TraceTransaction> transactions) {

  /** Names of the traces bundled under {@code /traces/}. */
  public static final List<String> BUNDLED =
      List.of("automerge-paper", "seph-blog1", "friendsforever");

  private static final ObjectMapper JSON = new ObjectMapper();

  public EditingTrace {
    transactions = List.copyOf(transactions);
  }

  /** Loads the bundled trace {@code /traces/<name>.json.gz} from the classpath. */
  public static EditingTrace load(String name) {
    String resource = "/traces/" + name + ".json.gz";
    try (InputStream in = EditingTrace.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException(
            "no trace named " + name + " (expected one of " + BUNDLED + ")");
      }
      return read(name, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trace " + resource, e);
    }
  }

  /** Reads a trace from a gzip-compressed JSON stream. */
  public static EditingTrace read(String name, InputStream gzipJson) throws IOException {
    JsonNode root = JSON.readTree(new GZIPInputStream(gzipJson));
    boolean concurrent = "concurrent".equals(root.path("kind").asText(""));
    List<TraceTransaction> transactions = new ArrayList<>();
    for (JsonNode txn : required(root, "txns", name)) {
      List<TracePatch> patches = new ArrayList<>();
      for (JsonNode patch : required(txn, "patches", name)) {
        patches.add(
            new TracePatch(
                patch.get(0).intValue(), patch.get(1).intValue(), patch.get(2).asText()));
      }
      List<Integer> parents = new ArrayList<>();
      for (JsonNode parent : txn.path("parents")) {
        int index = parent.intValue();
        // Parents must come earlier: replays rely on the file order being a topological order.
        if (index < 0 || index >= transactions.size()) {
          throw new IOException(
              name + ": transaction " + transactions.size() + " has bad parent " + index);
        }
        parents.add(index);
      }
      transactions.add(new TraceTransaction(patches, parents, txn.path("agent").asInt(0)));
    }
    return new EditingTrace(
        name,
        concurrent,
        root.path("numAgents").asInt(1),
        root.path("startContent").asText(""),
        required(root, "endContent", name).asText(),
        transactions);
  }

  /** Number of patches over all transactions (the "ops" of the benchmark). */
  public int patchCount() {
    int count = 0;
    for (TraceTransaction txn : transactions) {
      count += txn.patches().size();
    }
    return count;
  }

  private static JsonNode required(JsonNode node, String field, String name) throws IOException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IOException(name + ": missing \"" + field + "\"");
    }
    return value;
  }
}
