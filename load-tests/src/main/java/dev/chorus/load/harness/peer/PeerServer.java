package dev.chorus.load.harness.peer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.load.harness.client.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer server ({@code hocuspocus} or {@code y-websocket}) in its own Node process ({@code
 * peers/server-bench.mjs serve}), bound to 127.0.0.1 on a port it picks and reports. It stops when
 * its stdin closes ({@link #close()}), so it never outlives the harness.
 */
public final class PeerServer implements AutoCloseable {
  private final Process process;
  private final int port;

  public PeerServer(String node, Path peersDir, String peer) throws IOException {
    process =
        new ProcessBuilder(List.of(node, "server-bench.mjs", "serve", peer))
            .directory(peersDir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      throw new IOException(peer + " server did not start (is `npm ci` done in " + peersDir + "?)");
    }
    JsonNode n = Json.parse(line);
    port = n.path("port").asInt();
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
