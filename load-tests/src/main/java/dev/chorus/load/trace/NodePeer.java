// Runs one peer engine (Yjs, Loro or Automerge) on a trace in its own Node process.
package dev.chorus.load.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer engine run out of process, so it never shares a heap, JIT or GC with Chorus. The script
 * prints one JSON line {@code {"engine":..,"ms":[..],"median":..,"ok":..}} as its last line;
 * anything it writes to stderr is passed through.
 */
public final class NodePeer {
  /** The engines {@code trace-replay.mjs} knows, in the order the benchmark runs them. */
  public static final List<String> ENGINES = List.of("yjs", "loro", "automerge");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String nodeBinary;
  private final Path peersDir;

  /**
   * @param nodeBinary the {@code node} executable (a name on PATH or a path)
   * @param peersDir the {@code load-tests/peers} folder holding the script and its node_modules
   */
  public NodePeer(String nodeBinary, Path peersDir) {
    this.nodeBinary = nodeBinary;
    this.peersDir = peersDir.toAbsolutePath();
  }

  /**
   * Replays {@code traceFile} with {@code engine}: warm-ups, then measured runs; never throws for a
   * bad run.
   */
  public EngineTiming run(String engine, Path traceFile, int warmups, int runs) {
    List<String> command =
        List.of(
            nodeBinary,
            peersDir.resolve("trace-replay.mjs").toString(),
            engine,
            traceFile.toAbsolutePath().toString(),
            Integer.toString(warmups),
            Integer.toString(runs));
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(peersDir.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      process.getOutputStream().close();
      String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = process.waitFor();
      if (exit != 0) {
        System.err.println(engine + ": node exited with " + exit);
        return EngineTiming.failed(engine);
      }
      return parse(engine, stdout);
    } catch (IOException e) {
      System.err.println(engine + ": cannot run " + String.join(" ", command) + ": " + e);
      return EngineTiming.failed(engine);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return EngineTiming.failed(engine);
    }
  }

  private static EngineTiming parse(String engine, String stdout) throws IOException {
    String[] lines = stdout.strip().split("\n");
    JsonNode result = JSON.readTree(lines[lines.length - 1]);
    if (!engine.equals(result.path("engine").asText())) {
      System.err.println(engine + ": unexpected output " + stdout);
      return EngineTiming.failed(engine);
    }
    List<Double> ms = new ArrayList<>();
    result.path("ms").forEach(run -> ms.add(run.doubleValue()));
    return new EngineTiming(engine, ms, result.path("ok").asBoolean(false));
  }
}
