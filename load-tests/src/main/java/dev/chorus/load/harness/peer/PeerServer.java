package dev.chorus.load.harness.peer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.load.harness.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer server in its own process, bound to 127.0.0.1 on a port it picks and reports as its first
 * stdout line ({@code {"port": N}}): {@code hocuspocus} or {@code y-websocket} on Node ({@code
 * peers/server-bench.mjs serve}), or the transport floor {@link RelayServer} on a JVM. It stops
 * when its stdin closes ({@link #close()}), so it never outlives the harness.
 */
public final class PeerServer implements AutoCloseable {
  private final Process process;
  private final int port;

  /** A Node peer ({@code hocuspocus} or {@code y-websocket}). */
  public static PeerServer node(String node, Path peersDir, String peer) throws IOException {
    return new PeerServer(List.of(node, "server-bench.mjs", "serve", peer), peersDir, peer);
  }

  /** {@link RelayServer} on a JVM with the node's heap settings and this JVM's class path. */
  public static PeerServer relay(List<String> jvmOptions) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RelayServer.class.getName()));
    return new PeerServer(cmd, Path.of("."), RelayServer.NAME);
  }

  private PeerServer(List<String> command, Path dir, String peer) throws IOException {
    process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      throw new IOException(
          peer + " server did not start (for Node peers: is `npm ci` done in " + dir + "?)");
    }
    JsonNode n = Json.parse(line);
    port = n.path("port").asInt();
  }

  public long pid() {
    return process.pid();
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
