package dev.chorus.load.cluster;

import dev.chorus.load.harness.node.ServerNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One cluster node of the benchmark: {@code java -jar chorus-server.jar} as its own process on
 * 127.0.0.1 with a Hazelcast member joining the others and the shared store. Started and
 * health-checked, killed with SIGKILL (the fault), or stopped with SIGTERM.
 */
final class ClusterNodeProcess {
  /** Fast failure detection and join on loopback (STACK.md); the same on every member. */
  static final List<String> HAZELCAST_PROPS =
      List.of(
          "-Dhazelcast.heartbeat.interval.seconds=1",
          "-Dhazelcast.max.no.heartbeat.seconds=5",
          "-Dhazelcast.partition.count=31");

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  final String replica;
  final int port;
  private final List<String> command;
  private final Path log;
  private Process process;

  /** The node's process id (for its CPU time). */
  long pid() {
    return process.pid();
  }

  ClusterNodeProcess(
      Path jar,
      Path dir,
      String replica,
      int port,
      int hazelcastPort,
      List<String> members,
      String clusterName,
      String storeUrl,
      String secret,
      String heap,
      List<String> extraArgs) {
    this.replica = replica;
    this.port = port;
    this.log = dir.resolve(replica + ".log");
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.add("-Xmx" + heap);
    c.addAll(HAZELCAST_PROPS);
    c.addAll(ServerNode.extraJvmArgs());
    c.addAll(List.of("-jar", jar.toString()));
    c.addAll(
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dir.resolve(replica).toString(),
            "--replica-id",
            replica,
            "--jwt-secret",
            secret,
            "--hazelcast",
            "true",
            "--hazelcast-port",
            Integer.toString(hazelcastPort),
            "--hazelcast-members",
            String.join(",", members),
            "--cluster-name",
            clusterName,
            "--store-url",
            storeUrl,
            "--ops-per-second",
            "0",
            "--session-queue-limit",
            "100000"));
    c.addAll(extraArgs);
    this.command = List.copyOf(c);
  }

  void start() throws IOException {
    Files.createDirectories(log.getParent());
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(replica + " exited at start; see " + log);
      }
      if (members() >= 0) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IOException(replica + " not healthy after " + timeout + "; see " + log);
  }

  /** Members this node sees, or -1 if it does not answer. */
  int members() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return -1;
      }
      String b = r.body();
      int i = b.indexOf("\"members\":");
      return i < 0 ? 1 : Integer.parseInt(b.substring(i + 10).split("[,}]")[0].trim());
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** SIGKILL: nothing flushed, nobody told. */
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM, SIGKILL after 30 s. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
