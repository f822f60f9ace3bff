package dev.chorus.load.harness.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A session's full history as {@code GET /v1/sessions/{id}/history?since=} returned it, indexed: by
 * change key ({@code start@replica}), by end ({@code replica:end}, what an ack's version names) and
 * by batch id (when the server still knows it).
 */
public final class History {
  /** One change of the history. */
  public record Entry(
      String key, String endKey, Change change, String authorId, String batchId, String version) {}

  private final String version;
  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, Entry> byKey = new LinkedHashMap<>();
  private final Map<String, Entry> byEnd = new HashMap<>();
  private final Map<String, List<Entry>> byBatch = new HashMap<>();

  public History(JsonNode response) {
    this.version = response.path("version").asText();
    for (JsonNode body : response.path("changes")) {
      String batchId = body.hasNonNull("batchId") ? body.get("batchId").asText() : null;
      for (JsonNode cj : body.path("changes")) {
        Change c = ChangeCodec.fromJson(cj);
        Entry e =
            new Entry(
                Replica.key(c),
                c.replica() + ":" + c.endCounter(),
                c,
                c.author().actorId(),
                batchId,
                body.path("version").asText());
        entries.add(e);
        byKey.put(e.key(), e);
        byEnd.put(e.endKey(), e);
        if (batchId != null) {
          byBatch.computeIfAbsent(batchId, k -> new ArrayList<>()).add(e);
        }
      }
    }
  }

  public String version() {
    return version;
  }

  public List<Entry> entries() {
    return entries;
  }

  public Entry byKey(String key) {
    return byKey.get(key);
  }

  public Map<String, List<Entry>> byBatch() {
    return byBatch;
  }

  /**
   * The change an ack names: the entry whose replica's counter in {@code ackVersion} is its end and
   * whose author is {@code actorId} (null if none).
   */
  public Entry forAck(String ackVersion, String actorId) {
    for (Map.Entry<String, Long> v : VersionVector.parse(ackVersion).asMap().entrySet()) {
      Entry e = byEnd.get(v.getKey() + ":" + v.getValue());
      if (e != null && e.authorId().equals(actorId)) {
        return e;
      }
    }
    return null;
  }

  /** Whether the change is included in {@code version}. */
  public static boolean includedIn(Entry e, VersionVector version) {
    return version.get(e.change().replica()) >= e.change().startCounter();
  }
}
