package dev.chorus.load.harness.node;

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
 * One Chorus node the harness runs as a separate process: {@code java -jar chorus-server.jar} on a
 * free 127.0.0.1 port with its own data directory and a JWT secret the harness chose, durable acks
 * as shipped (the default). Started, health-checked, stopped (SIGTERM, then SIGKILL after a bound),
 * or killed outright and restarted on the same port and data directory (crash faults).
 */
public final class ServerNode implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private final Path jar;
  private final Path dataDir;
  private final Path log;
  private final String secret;
  private final List<String> extraArgs;
  private final List<String> jvmArgs;
  private final int port;
  private Process process;

  /**
   * @param jar chorus-server.jar
   * @param dataDir the node's data directory (created)
   * @param secret the HS256 secret (≥ 32 bytes) the node verifies tokens with
   * @param jvmArgs e.g. {@code -Xmx512m}
   * @param extraArgs server flags beyond host, port, data dir, secret (e.g. {@code --ops-per-second
   *     0})
   */
  public ServerNode(
      Path jar, Path dataDir, String secret, List<String> jvmArgs, List<String> extraArgs) {
    this.jar = jar;
    this.dataDir = dataDir;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    this.secret = secret;
    this.jvmArgs = List.copyOf(jvmArgs);
    this.extraArgs = List.copyOf(extraArgs);
    this.port = FreePort.pick();
  }

  public int port() {
    return port;
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process == null ? -1 : process.pid();
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  /**
   * Extra node JVM flags from {@code CHORUS_NODE_JAVA_OPTS} (e.g. a JFR recording or GC log for
   * profiling a run), for every benchmark that starts nodes; appended after the defaults.
   */
  public static List<String> extraJvmArgs() {
    String extra = System.getenv("CHORUS_NODE_JAVA_OPTS");
    return extra == null || extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
  }

  /** Starts the process and waits (≤ {@code timeout}) until {@code /health} answers 200. */
  public ServerNode start(Duration timeout) throws IOException, InterruptedException {
    Files.createDirectories(dataDir);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmArgs);
    cmd.addAll(extraJvmArgs());
    cmd.add("-jar");
    cmd.add(jar.toString());
    cmd.addAll(
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString(),
            "--jwt-secret",
            secret,
            "--hazelcast",
            "false"));
    cmd.addAll(extraArgs);
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    Process started = process;
    // a harness that dies (Ctrl-C, kill) takes its nodes with it
    Runtime.getRuntime()
        .addShutdownHook(new Thread(started::destroyForcibly, "chorus-node-reaper"));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "chorus-server exited with " + process.exitValue() + " at start; see " + log);
      }
      if (healthy()) {
        return this;
      }
      Thread.sleep(100);
    }
    close();
    throw new IOException("chorus-server not healthy after " + timeout + "; see " + log);
  }

  /** Whether {@code /health} answers 200 now. */
  public boolean healthy() {
    try {
      HttpResponse<Void> r =
          HTTP.send(
              HttpRequest.newBuilder(baseUri().resolve("/health"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** SIGKILL: the crash fault (nothing is flushed, nobody is told). */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM (graceful: queued batches committed, clients told), SIGKILL after 15 s. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A fresh random HS256 secret for a node the harness starts (tokens are minted with it). */
  public static String randomSecret() {
    byte[] b = new byte[32];
    new java.security.SecureRandom().nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A new work directory under {@code <tmpdir>/chorus-harness}, named {@code prefix...}. */
  public static Path newWorkDir(String prefix) throws IOException {
    return Files.createTempDirectory(
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "chorus-harness")),
        prefix);
  }

  /**
   * The server jar: {@code configured}, else system property {@code chorus.server.jar}, else
   * environment variable {@code CHORUS_SERVER_JAR}, else {@code
   * session-server/target/chorus-server.jar} in the working directory or above.
   */
  public static Path findJar(String configured) {
    if (configured == null || configured.isBlank()) {
      configured = System.getProperty("chorus.server.jar", System.getenv("CHORUS_SERVER_JAR"));
    }
    if (configured != null && !configured.isBlank()) {
      Path p = Path.of(configured).toAbsolutePath().normalize();
      if (Files.isRegularFile(p)) {
        return p;
      }
      throw new IllegalArgumentException("no server jar at " + p);
    }
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
      Path p = dir.resolve("session-server/target/chorus-server.jar");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "chorus-server.jar not found: build it (mvn -B -q -pl session-server -am package"
            + " -DskipTests) or pass --server-jar");
  }
}
