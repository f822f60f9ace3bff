package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Nodes of a test cluster on loopback: a unique cluster name and unique ports per instance (so test
 * classes never join each other), the fast-join Hazelcast properties of STACK.md, and one
 * PostgreSQL store shared by every node. A node runs in this JVM ({@link ChorusServer}) or, to be
 * killed with SIGKILL, as a separate process.
 */
final class TestCluster implements AutoCloseable {
  /** Hazelcast properties that make a loopback cluster form, notice deaths and heal splits fast. */
  static final Map<String, String> FAST =
      Map.of(
          "hazelcast.wait.seconds.before.join", "0",
          "hazelcast.max.wait.seconds.before.join", "0",
          "hazelcast.heartbeat.interval.seconds", "1",
          "hazelcast.max.no.heartbeat.seconds", "5",
          "hazelcast.partition.count", "31",
          "hazelcast.merge.first.run.delay.seconds", "2",
          "hazelcast.merge.next.run.delay.seconds", "2");

  static {
    FAST.forEach(System::setProperty);
  }

  /** One node: its replica id, its HTTP port, and how to stop it. */
  interface Node {
    String replica();

    int port();

    default String base() {
      return "http://127.0.0.1:" + port();
    }

    /** Graceful stop (flush, goodbye to clients). */
    void stop();

    /** As a crash: SIGKILL for a process, an abrupt stop in this JVM. */
    void kill();
  }

  final String name = "chorus-it-" + UUID.randomUUID().toString().substring(0, 8);
  final String storeUrl;
  private final Map<String, Integer> hazelcastPorts = new LinkedHashMap<>();
  private final List<Node> started = new ArrayList<>();

  TestCluster(String storeUrl) {
    this.storeUrl = storeUrl;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The Hazelcast port of a replica (allocated on first use, stable afterwards). */
  synchronized int hazelcastPort(String replica) throws Exception {
    Integer p = hazelcastPorts.get(replica);
    if (p == null) {
      p = freePort();
      hazelcastPorts.put(replica, p);
    }
    return p;
  }

  /**
   * Before starting a whole cluster again after a full stop: new Hazelcast ports for every replica.
   * A stopped member's port may have been taken meanwhile (e.g. as the local port of an outgoing
   * connection), and nothing of the old cluster needs to be found at the old addresses.
   */
  synchronized void newHazelcastPorts() {
    hazelcastPorts.clear();
  }

  String address(String replica) throws Exception {
    return "127.0.0.1:" + hazelcastPort(replica);
  }

  private List<String> args(String replica, List<String> members, String... extra)
      throws Exception {
    List<String> m = new ArrayList<>();
    for (String r : members) {
      m.add(address(r));
    }
    List<String> a = new ArrayList<>();
    a.addAll(
        List.of(
            "--port",
            "0",
            "--data-dir",
            TestServer.newDataDir().toString(),
            "--jwt-secret",
            TestServer.SECRET,
            "--replica-id",
            replica,
            "--hazelcast",
            "true",
            "--cluster-name",
            name,
            "--hazelcast-port",
            Integer.toString(hazelcastPort(replica)),
            "--hazelcast-members",
            String.join(",", m),
            "--store-url",
            storeUrl,
            "--ops-per-second",
            "0"));
    a.addAll(List.of(extra));
    return a;
  }

  /** A node in this JVM; {@code members}: the replicas whose addresses it knows. */
  InProcess start(String replica, List<String> members, String... extra) throws Exception {
    ChorusServer s =
        ChorusServer.start(
            ServerConfig.parse(args(replica, members, extra).toArray(new String[0]), Map.of()));
    InProcess n = new InProcess(replica, s);
    synchronized (this) {
      started.add(n);
    }
    return n;
  }

  /** A node as a separate JVM (to be killed with SIGKILL); its output goes to {@code log}. */
  Forked fork(String replica, List<String> members, Path log, String... extra) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String flag :
        ("--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED"
                + " --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED"
                + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
                + " --add-opens java.management/sun.management=ALL-UNNAMED"
                + " --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED")
            .split(" ")) {
      cmd.add(flag);
    }
    FAST.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    List<String> a = args(replica, members, extra);
    int port = freePort();
    a.set(a.indexOf("--port") + 1, Integer.toString(port));
    cmd.addAll(a);
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Forked n = new Forked(replica, port, p);
    synchronized (this) {
      started.add(n);
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              assertTrue(p.isAlive(), "node " + replica + " died: " + Files.readString(log));
              return Rest.get(n.base() + "/health", null).status() == 200;
            });
    return n;
  }

  /** Waits (bounded) until {@code node} sees {@code members} members. */
  static void awaitMembers(Node node, int members) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Rest.get(node.base() + "/health", null).body().path("members").asInt() == members);
  }

  /** A token for {@code actor} on {@code session}, valid on every node (one key). */
  static String token(String actor, String kind, String session) {
    try {
      return Jwt.hs256(
          TestServer.SECRET,
          Jwt.claims(actor, kind, session, "editor", System.currentTimeMillis() / 1000 + 3600));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    List<Node> all;
    synchronized (this) {
      all = new ArrayList<>(started);
    }
    for (Node n : all) {
      try {
        n.kill();
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }

  /** A node in this JVM. */
  static final class InProcess implements Node {
    private final String replica;
    final ChorusServer server;

    InProcess(String replica, ChorusServer server) {
      this.replica = replica;
      this.server = server;
    }

    @Override
    public String replica() {
      return replica;
    }

    @Override
    public int port() {
      return server.port();
    }

    @Override
    public void stop() {
      server.stop();
    }

    @Override
    public void kill() {
      server.crash();
    }
  }

  /** A node in its own JVM. */
  static final class Forked implements Node {
    private final String replica;
    private final int port;
    final Process process;

    Forked(String replica, int port, Process process) {
      this.replica = replica;
      this.port = port;
      this.process = process;
    }

    @Override
    public String replica() {
      return replica;
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public void stop() {
      process.destroy();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void kill() {
      process.destroyForcibly(); // SIGKILL
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
