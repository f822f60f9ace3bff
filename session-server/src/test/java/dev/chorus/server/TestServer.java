package dev.chorus.server;

import dev.chorus.crdt.ActorKind;
import dev.chorus.server.auth.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A node in this JVM on an ephemeral localhost port, with its own data dir under target/. */
public final class TestServer implements AutoCloseable {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  public final ChorusServer server;
  public final Path dataDir;

  private TestServer(ChorusServer server, Path dataDir) {
    this.server = server;
    this.dataDir = dataDir;
  }

  public static TestServer start(String... extraArgs) throws Exception {
    return start(newDataDir(), extraArgs);
  }

  public static Path newDataDir() throws IOException {
    Path base = Path.of("target", "it-data");
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "node-");
  }

  public static TestServer start(Path dataDir, String... extraArgs) throws Exception {
    String[] base = {
      "--port", "0",
      "--data-dir", dataDir.toString(),
      "--jwt-secret", SECRET,
      "--hazelcast", "false",
      "--replica-id", "n1"
    };
    String[] args = new String[base.length + extraArgs.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extraArgs, 0, args, base.length, extraArgs.length);
    return new TestServer(ChorusServer.start(ServerConfig.parse(args, Map.of())), dataDir);
  }

  public int port() {
    return server.port();
  }

  public String base() {
    return "http://127.0.0.1:" + port();
  }

  public String token(String actor, ActorKind kind, String session, Role role) {
    return server.tokens().mint(actor, kind, List.of(session), role, 3600);
  }

  public String human(String actor, String session) {
    return token(actor, ActorKind.HUMAN, session, Role.EDITOR);
  }

  public String agent(String actor, String session) {
    return token(actor, ActorKind.AGENT, session, Role.EDITOR);
  }

  /** A counter or gauge from {@code /metrics}; 0 while it has not been exported. */
  public double metric(String name) throws Exception {
    for (String line : Rest.get(base() + "/metrics", null).body().asText().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /**
   * {@code n} REST writes to {@code session}, one change each, each replacing one of four tasks
   * ({@code tasks/t0..t3}, so every write leaves a replaced value behind); the version after each.
   */
  public List<String> replaceTasks(String session, String token, int n, String tag)
      throws Exception {
    List<String> versions = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String ops =
          "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t"
              + (i % 4)
              + "\",\"value\":{\"title\":\""
              + tag
              + i
              + "\",\"status\":\"todo\"}}]}";
      Rest.Response w =
          Rest.post(
              base() + "/v1/sessions/" + session + "/ops",
              token,
              ops,
              "Idempotency-Key",
              tag + "-" + i);
      if (w.status() != 200) {
        throw new AssertionError("write " + tag + i + ": " + w.status() + " " + w.body());
      }
      versions.add(w.body().path("version").asText());
    }
    return versions;
  }

  @Override
  public void close() {
    server.stop();
  }
}
