package dev.chorus.load.harness.peer;

import dev.chorus.load.harness.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the stream workload's clients against a peer server in a separate Node process ({@code
 * peers/server-bench.mjs stream}: R readers and one writer, one clock) and reads its JSON result.
 */
public final class PeerStream {
  private PeerStream() {}

  public static StreamNumbers run(
      String node,
      Path peersDir,
      String peer,
      int port,
      String doc,
      int readers,
      int ops,
      int window,
      int keys)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                List.of(
                    node,
                    "server-bench.mjs",
                    "stream",
                    peer,
                    Integer.toString(port),
                    doc,
                    Integer.toString(readers),
                    Integer.toString(ops),
                    Integer.toString(window),
                    Integer.toString(keys)))
            .directory(peersDir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(peer + " stream did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IOException(peer + " stream exited with " + p.exitValue() + ": " + out);
    }
    String[] lines = out.strip().split("\n");
    return StreamNumbers.of(Json.parse(lines[lines.length - 1]));
  }
}
