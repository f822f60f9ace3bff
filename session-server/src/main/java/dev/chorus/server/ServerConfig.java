package dev.chorus.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of a session-server node, from command-line flags ({@code --port 8080} or {@code
 * --port=8080}) and environment variables ({@code CHORUS_PORT}); a flag wins over the variable, the
 * variable over the default. {@code docs/operations.md} lists them all; {@link #describe()} prints
 * the effective values at start-up.
 *
 * <p>Immutable; {@code with*} methods return modified copies (used by tests).
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    String jwtSecret,
    boolean demo,
    String replicaId,
    boolean hazelcast,
    int hazelcastPort,
    String clusterName,
    String storeUrl,
    int storeThreads,
    int eventLoops,
    boolean nativeTransport,
    int maxFrameBytes,
    int maxBatchOps,
    long maxDocBytes,
    int opsPerSecond,
    int idempotencyWindow,
    long presenceTtlMs,
    long sessionIdleMs,
    int snapshotEvery,
    int snapshotEveryOps,
    long compactLagMs,
    int sessionQueueLimit,
    int maxWriteQueueFrames,
    List<String> allowedOrigins,
    long shutdownGraceMs,
    List<String> hazelcastMembers,
    String hazelcastInterface,
    String hazelcastK8sServiceDns,
    long antiEntropyMs,
    int maxConnections,
    int maxSessions,
    int sessionOpsPerSecond,
    boolean demoAllowRemote,
    long heartbeatMs) {

  /** One setting: flag name, environment variable, default, and what it does. */
  public record Option(String flag, String env, String defaultValue, String help) {}

  /** All settings, in the order {@code --help} and operations.md show them. */
  public static final List<Option> OPTIONS =
      List.of(
          new Option("host", "CHORUS_HOST", "127.0.0.1", "interface to listen on (0.0.0.0 = all)"),
          new Option("port", "CHORUS_PORT", "8080", "HTTP/websocket port (0 = any free port)"),
          new Option(
              "data-dir", "CHORUS_DATA_DIR", "./data", "where the store, replica id and key live"),
          new Option(
              "jwt-secret",
              "CHORUS_JWT_SECRET",
              "",
              "HS256 key (>= 32 bytes); empty = read or create <data-dir>/jwt-secret"),
          new Option("demo", "CHORUS_DEMO", "false", "demo mode: POST /v1/demo/token mints tokens"),
          new Option(
              "replica-id",
              "CHORUS_REPLICA_ID",
              "",
              "this node's replica id; empty = read or create <data-dir>/replica-id"),
          new Option(
              "hazelcast", "CHORUS_HAZELCAST", "true", "start the embedded Hazelcast member"),
          new Option("hazelcast-port", "CHORUS_HAZELCAST_PORT", "5701", "Hazelcast member port"),
          new Option("cluster-name", "CHORUS_CLUSTER_NAME", "chorus", "Hazelcast cluster name"),
          new Option(
              "store-url",
              "CHORUS_STORE_URL",
              "",
              "JDBC URL; empty = SQLite file <data-dir>/chorus.db"),
          new Option("store-threads", "CHORUS_STORE_THREADS", "4", "worker threads for JDBC"),
          new Option(
              "event-loops",
              "CHORUS_EVENT_LOOPS",
              "0",
              "event loop threads for connections and sessions (0 = 2 x cores)"),
          new Option(
              "native-transport",
              "CHORUS_NATIVE_TRANSPORT",
              "true",
              "use Netty's epoll transport where available (Linux x86_64), else NIO"),
          new Option(
              "max-frame-bytes", "CHORUS_MAX_FRAME_BYTES", "262144", "largest websocket message"),
          new Option("max-batch-ops", "CHORUS_MAX_BATCH_OPS", "500", "most ops in one batch"),
          new Option(
              "max-doc-bytes", "CHORUS_MAX_DOC_BYTES", "8388608", "largest document (plain JSON)"),
          new Option(
              "ops-per-second",
              "CHORUS_OPS_PER_SECOND",
              "2000",
              "ops per second per actor (burst = 2x); 0 = unlimited"),
          new Option(
              "idempotency-window",
              "CHORUS_IDEMPOTENCY_WINDOW",
              "10000",
              "batch ids remembered per session"),
          new Option("presence-ttl-ms", "CHORUS_PRESENCE_TTL_MS", "30000", "presence expiry"),
          new Option(
              "session-idle-ms",
              "CHORUS_SESSION_IDLE_MS",
              "300000",
              "unload a session unused this long"),
          new Option(
              "snapshot-every",
              "CHORUS_SNAPSHOT_EVERY",
              "1000",
              "write a snapshot after this many changes"),
          new Option(
              "snapshot-every-ops",
              "CHORUS_SNAPSHOT_EVERY_OPS",
              "100000",
              "also write one after this many ops (bounds the replay of a load)"),
          new Option(
              "compact-lag-ms",
              "CHORUS_COMPACT_LAG_MS",
              "86400000",
              "single node: at a snapshot, forget history and deleted values older than this"
                  + " (edits based before it get stale_base); -1 = never"),
          new Option(
              "session-queue-limit",
              "CHORUS_SESSION_QUEUE_LIMIT",
              "10000",
              "batches waiting for the store per session before 'overloaded'"),
          new Option(
              "max-write-queue-frames",
              "CHORUS_MAX_WRITE_QUEUE_FRAMES",
              "4096",
              "frames queued for one slow client before it is disconnected"),
          new Option(
              "allowed-origins",
              "CHORUS_ALLOWED_ORIGINS",
              "",
              "comma-separated browser origins; empty = http://localhost:<port>, http://127.0.0.1:<port>"),
          new Option(
              "shutdown-grace-ms", "CHORUS_SHUTDOWN_GRACE_MS", "5000", "time to flush on SIGTERM"),
          new Option(
              "heartbeat-ms",
              "CHORUS_HEARTBEAT_MS",
              "15000",
              "keep-alive comment on idle event streams (SSE, MCP)"),
          new Option(
              "hazelcast-members",
              "CHORUS_HAZELCAST_MEMBERS",
              "",
              "cluster: comma-separated host:port of the members (empty = alone)"),
          new Option(
              "hazelcast-interface",
              "CHORUS_HAZELCAST_INTERFACE",
              "127.0.0.1",
              "interface the member binds (0.0.0.0 = all, for containers and pods)"),
          new Option(
              "hazelcast-k8s-service-dns",
              "CHORUS_HAZELCAST_K8S_SERVICE_DNS",
              "",
              "cluster: discover members via this headless service's DNS instead of the list"),
          new Option(
              "anti-entropy-ms",
              "CHORUS_ANTI_ENTROPY_MS",
              "10000",
              "cluster: every loaded session catches up this often (0 = only on events)"),
          new Option(
              "max-connections",
              "CHORUS_MAX_CONNECTIONS",
              "20000",
              "open websockets before new ones get 'overloaded' (503); 0 = unlimited"),
          new Option(
              "max-sessions",
              "CHORUS_MAX_SESSIONS",
              "10000",
              "loaded sessions before loading another gets 'overloaded' (503); 0 = unlimited"),
          new Option(
              "session-ops-per-second",
              "CHORUS_SESSION_OPS_PER_SECOND",
              "20000",
              "ops per second per session, all actors together (burst = 2x); 0 = unlimited"),
          new Option(
              "demo-allow-remote",
              "CHORUS_DEMO_ALLOW_REMOTE",
              "false",
              "demo mode: also serve non-loopback clients (default: 403 to them)"));

  /** Defaults only (no flags, no environment). */
  public static ServerConfig defaults() {
    return parse(new String[0], Map.of());
  }

  /** Parses flags and the environment. Throws {@link IllegalArgumentException} on a bad value. */
  public static ServerConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Option o : OPTIONS) {
      String v = env.get(o.env());
      values.put(o.flag(), v != null ? v : o.defaultValue());
    }
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (isBoolean(name) && (i + 1 >= args.length || args[i + 1].startsWith("--"))) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("flag --" + name + " needs a value");
      }
      if (!values.containsKey(name)) {
        throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
      }
      values.put(name, value);
    }
    int port = intValue(values, "port");
    long compactLagMs = longValue(values, "compact-lag-ms");
    if (compactLagMs < -1) {
      throw new IllegalArgumentException(
          "--compact-lag-ms must be -1 (never) or a lag in ms >= 0: " + compactLagMs);
    }
    if (intValue(values, "event-loops") < 0) {
      throw new IllegalArgumentException(
          "--event-loops must be 0 (2 x cores) or a thread count >= 1: "
              + values.get("event-loops"));
    }
    if (longValue(values, "heartbeat-ms") < 1) {
      throw new IllegalArgumentException("--heartbeat-ms must be at least 1");
    }
    String origins = values.get("allowed-origins");
    List<String> allowed = new ArrayList<>();
    for (String o : origins.split(",")) {
      if (!o.isBlank()) {
        allowed.add(o.trim());
      }
    }
    return new ServerConfig(
        values.get("host"),
        port,
        Path.of(values.get("data-dir")),
        values.get("jwt-secret"),
        boolValue(values, "demo"),
        values.get("replica-id"),
        boolValue(values, "hazelcast"),
        intValue(values, "hazelcast-port"),
        values.get("cluster-name"),
        values.get("store-url"),
        intValue(values, "store-threads"),
        intValue(values, "event-loops"),
        boolValue(values, "native-transport"),
        intValue(values, "max-frame-bytes"),
        intValue(values, "max-batch-ops"),
        longValue(values, "max-doc-bytes"),
        intValue(values, "ops-per-second"),
        intValue(values, "idempotency-window"),
        longValue(values, "presence-ttl-ms"),
        longValue(values, "session-idle-ms"),
        intValue(values, "snapshot-every"),
        intValue(values, "snapshot-every-ops"),
        compactLagMs,
        intValue(values, "session-queue-limit"),
        intValue(values, "max-write-queue-frames"),
        List.copyOf(allowed),
        longValue(values, "shutdown-grace-ms"),
        list(values.get("hazelcast-members")),
        values.get("hazelcast-interface").trim(),
        values.get("hazelcast-k8s-service-dns").trim(),
        longValue(values, "anti-entropy-ms"),
        intValue(values, "max-connections"),
        intValue(values, "max-sessions"),
        intValue(values, "session-ops-per-second"),
        boolValue(values, "demo-allow-remote"),
        longValue(values, "heartbeat-ms"));
  }

  private static List<String> list(String csv) {
    List<String> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim());
      }
    }
    return List.copyOf(out);
  }

  private static boolean isBoolean(String flag) {
    return flag.equals("demo")
        || flag.equals("hazelcast")
        || flag.equals("demo-allow-remote")
        || flag.equals("native-transport");
  }

  private static int intValue(Map<String, String> v, String k) {
    try {
      return Integer.parseInt(v.get(k).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + k + " must be an integer: " + v.get(k), e);
    }
  }

  private static long longValue(Map<String, String> v, String k) {
    try {
      return Long.parseLong(v.get(k).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + k + " must be an integer: " + v.get(k), e);
    }
  }

  private static boolean boolValue(Map<String, String> v, String k) {
    String s = v.get(k).trim().toLowerCase(Locale.ROOT);
    if (s.equals("true") || s.equals("1") || s.equals("yes")) {
      return true;
    }
    if (s.equals("false") || s.equals("0") || s.equals("no") || s.isEmpty()) {
      return false;
    }
    throw new IllegalArgumentException("--" + k + " must be true or false: " + v.get(k));
  }

  /** Origins allowed for browsers; the default is this node's own localhost origins. */
  public List<String> effectiveOrigins(int actualPort) {
    if (!allowedOrigins.isEmpty()) {
      return allowedOrigins;
    }
    return List.of("http://localhost:" + actualPort, "http://127.0.0.1:" + actualPort);
  }

  /**
   * JDBC URL of the store: {@code --store-url}, else the embedded file in the data dir — H2 if an
   * earlier version made one there (its data stays where it is), else SQLite.
   */
  public String effectiveStoreUrl() {
    if (storeUrl != null && !storeUrl.isBlank()) {
      return storeUrl;
    }
    Path dir = dataDir.toAbsolutePath().normalize();
    if (Files.exists(dir.resolve("chorus.mv.db"))) {
      // WRITE_DELAY=0: commit reaches the file before executeUpdate/commit returns, so an acked
      // batch survives kill -9 of this process (see docs/operations.md, "Durability").
      return "jdbc:h2:file:" + dir.resolve("chorus") + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";
    }
    // the driver settings (write-ahead log, no fsync per commit, as H2 above) are in Dialect
    return "jdbc:sqlite:" + dir.resolve("chorus.db");
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(
        host,
        p,
        dataDir,
        jwtSecret,
        demo,
        replicaId,
        hazelcast,
        hazelcastPort,
        clusterName,
        storeUrl,
        storeThreads,
        eventLoops,
        nativeTransport,
        maxFrameBytes,
        maxBatchOps,
        maxDocBytes,
        opsPerSecond,
        idempotencyWindow,
        presenceTtlMs,
        sessionIdleMs,
        snapshotEvery,
        snapshotEveryOps,
        compactLagMs,
        sessionQueueLimit,
        maxWriteQueueFrames,
        allowedOrigins,
        shutdownGraceMs,
        hazelcastMembers,
        hazelcastInterface,
        hazelcastK8sServiceDns,
        antiEntropyMs,
        maxConnections,
        maxSessions,
        sessionOpsPerSecond,
        demoAllowRemote,
        heartbeatMs);
  }

  /** Effective settings for the start-up log (the JWT secret is never printed). */
  public String describe() {
    return "host="
        + host
        + " port="
        + port
        + " dataDir="
        + dataDir.toAbsolutePath().normalize()
        + " demo="
        + demo
        + " hazelcast="
        + hazelcast
        + (hazelcast
            ? " hazelcastPort="
                + hazelcastPort
                + " cluster="
                + clusterName
                + " members="
                + (hazelcastK8sServiceDns.isEmpty()
                    ? String.join(",", hazelcastMembers)
                    : "dns:" + hazelcastK8sServiceDns)
            : "")
        + " eventLoops="
        + eventLoopThreads()
        + " nativeTransport="
        + nativeTransport
        + " maxFrameBytes="
        + maxFrameBytes
        + " maxBatchOps="
        + maxBatchOps
        + " maxDocBytes="
        + maxDocBytes
        + " opsPerSecond="
        + opsPerSecond
        + " sessionOpsPerSecond="
        + sessionOpsPerSecond
        + " maxConnections="
        + maxConnections
        + " maxSessions="
        + maxSessions
        + " snapshotEvery="
        + snapshotEvery
        + " snapshotEveryOps="
        + snapshotEveryOps
        + " compactLagMs="
        + compactLagMs;
  }

  /** Event loop threads: {@code --event-loops}, or Vert.x's default of two per core. */
  public int eventLoopThreads() {
    return eventLoops > 0 ? eventLoops : 2 * Runtime.getRuntime().availableProcessors();
  }

  /** Text of {@code --help}. */
  public static String help() {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: java -jar chorus-server.jar [flags]\n");
    sb.append("       java -jar chorus-server.jar token --sub ID [--kind human|agent]")
        .append(" --sessions a,b|* [--role viewer|editor|owner] [--ttl SECONDS]\n\nflags:\n");
    for (Option o : OPTIONS) {
      sb.append(
          String.format(
              "  --%-22s %-30s default %-10s %s%n",
              o.flag(), o.env(), o.defaultValue().isEmpty() ? "-" : o.defaultValue(), o.help()));
    }
    return sb.toString();
  }
}
