package dev.chorus.server;

import dev.chorus.server.agent.mcp.McpEndpoint;
import dev.chorus.server.auth.TokenService;
import dev.chorus.server.demo.DemoAgents;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.replication.FloorAgreements;
import dev.chorus.server.replication.LocalReplicator;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.replication.hazelcast.HazelcastFloorAgreements;
import dev.chorus.server.replication.hazelcast.HazelcastMember;
import dev.chorus.server.replication.hazelcast.HazelcastReplicator;
import dev.chorus.server.session.Session;
import dev.chorus.server.session.SessionRegistry;
import dev.chorus.server.store.OpLogStore;
import dev.chorus.server.store.jdbc.JdbcOpLogStore;
import dev.chorus.server.transport.HttpTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.transport.Transport;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: store, optional embedded Hazelcast member, sessions, HTTP. {@link #start} blocks
 * the calling thread until the node serves (tests and {@link Main} use it); {@link #stop} flushes
 * and closes everything.
 */
public final class ChorusServer {
  private static final Logger LOG = LoggerFactory.getLogger(ChorusServer.class);

  private final ServerConfig config;
  private final Vertx vertx;
  private final OpLogStore store;
  private final HazelcastMember hazelcast;
  private final Replicator replicator;
  private final SessionRegistry registry;
  private final HttpServer http;
  private final String replicaId;
  private final TokenService tokens;
  private volatile boolean stopped;
  private volatile DemoAgents demoAgents;
  private volatile McpEndpoint mcp;

  private ChorusServer(
      ServerConfig config,
      Vertx vertx,
      OpLogStore store,
      HazelcastMember hazelcast,
      Replicator replicator,
      SessionRegistry registry,
      HttpServer http,
      String replicaId,
      TokenService tokens) {
    this.config = config;
    this.vertx = vertx;
    this.store = store;
    this.hazelcast = hazelcast;
    this.replicator = replicator;
    this.registry = registry;
    this.http = http;
    this.replicaId = replicaId;
    this.tokens = tokens;
  }

  /** Starts a node and returns once it listens. */
  public static ChorusServer start(ServerConfig config) throws Exception {
    Files.createDirectories(config.dataDir());
    String replicaId = resolveReplicaId(config);
    String secret = TokenService.resolveSecret(config.jwtSecret(), config.dataDir());
    JdbcOpLogStore store = new JdbcOpLogStore(config.effectiveStoreUrl(), config.storeThreads());
    HazelcastMember hz = null;
    Vertx vertx = null;
    try {
      store.init();
      // No classpath-file cache: several nodes (and restarts) in one JVM must not share or delete
      // each other's extracted copies of the board's files.
      vertx =
          Vertx.vertx(
              new io.vertx.core.VertxOptions()
                  .setEventLoopPoolSize(config.eventLoopThreads())
                  // epoll where Netty's native library loads (fewer syscalls per wake-up than
                  // NIO); Vert.x falls back to NIO on its own elsewhere, see logTransport
                  .setPreferNativeTransport(config.nativeTransport())
                  .setFileSystemOptions(
                      new io.vertx.core.file.FileSystemOptions().setFileCachingEnabled(false)));
      Replicator replicator;
      HazelcastFloorAgreements floors = null;
      if (config.hazelcast()) {
        // A member alone is a cluster of one: others may join it later with the same settings.
        hz =
            HazelcastMember.start(
                new HazelcastMember.Settings(
                    config.clusterName(),
                    replicaId,
                    config.hazelcastInterface(),
                    config.hazelcastPort(),
                    config.hazelcastMembers(),
                    config.hazelcastK8sServiceDns()));
        replicator = new HazelcastReplicator(hz, vertx, replicaId);
        floors = floorAgreements(hz, vertx, replicaId, config);
      } else {
        replicator = LocalReplicator.disabled();
      }
      Metrics metrics = new Metrics();
      SessionRegistry registry =
          new SessionRegistry(
              vertx,
              config,
              store,
              replicator,
              Optional.<FloorAgreements>ofNullable(floors),
              metrics,
              replicaId);
      await(registry.start());
      TokenService tokens = new TokenService(vertx, secret);
      HttpTransport transport =
          new HttpTransport(vertx, config, registry, tokens, metrics, store, replicator);
      int hardLimit = (int) Math.min(Integer.MAX_VALUE, 4L * config.maxFrameBytes());
      HttpServerOptions opts =
          new HttpServerOptions()
              .setHost(config.host())
              .setPort(config.port())
              .setMaxWebSocketFrameSize(hardLimit)
              .setMaxWebSocketMessageSize(hardLimit)
              // selected when a browser offers it beside the subprotocol carrying its token
              .setWebSocketSubProtocols(List.of(HttpTransport.WEBSOCKET_PROTOCOL))
              .setCompressionSupported(true);
      DemoAgents demo = config.demo() ? new DemoAgents(vertx, tokens, config) : null;
      McpEndpoint mcp = new McpEndpoint(vertx, transport.access(), config);
      Router router =
          transport.router(
              r -> {
                mcp.mount(r); // agents over the Model Context Protocol
                if (demo != null) {
                  demo.mount(r); // the board's demo agent button
                }
              });
      HttpServer http = vertx.createHttpServer(opts).requestHandler(router);
      await(http.listen());
      transport.listening(http.actualPort());
      if (demo != null) {
        demo.listening(http.actualPort());
      }
      ChorusServer s =
          new ChorusServer(
              config.withPort(http.actualPort()),
              vertx,
              store,
              hz,
              replicator,
              registry,
              http,
              replicaId,
              tokens);
      s.demoAgents = demo;
      s.mcp = mcp;
      LOG.info(
          "Chorus listening on http://{}:{}/ (replica {}); data in {}; store {}",
          config.host().equals("0.0.0.0") ? "localhost" : config.host(),
          http.actualPort(),
          replicaId,
          config.dataDir().toAbsolutePath().normalize(),
          store.describe());
      LOG.info("settings: {}", config.describe());
      logTransport(vertx, config);
      boolean joins =
          !config.hazelcastMembers().isEmpty() || !config.hazelcastK8sServiceDns().isBlank();
      if (config.hazelcast()
          && joins
          && (config.storeUrl() == null || config.storeUrl().isBlank())) {
        // Catch-up after a full restart reads the store: nodes of a cluster must share one.
        LOG.warn(
            "this node joins a cluster but keeps its own embedded store: nodes must share one store"
                + " (--store-url jdbc:postgresql://...), see docs/operations.md, Cluster");
      }
      if (config.demo()) {
        String bar = "!".repeat(78);
        LOG.warn(bar);
        LOG.warn(
            config.demoAllowRemote()
                ? "DEMO MODE IS ON: anyone who can reach this port can mint tokens at"
                : "DEMO MODE IS ON: any process on this machine (only loopback clients are"
                    + " served; --demo-allow-remote widens it) can mint tokens at");
        LOG.warn("POST /v1/demo/token and read or write any session. Never use it in production.");
        LOG.warn(bar);
      }
      return s;
    } catch (Exception e) {
      if (vertx != null) {
        vertx.close();
      }
      if (hz != null) {
        hz.close();
      }
      store.close();
      throw e;
    }
  }

  /** Says which network transport the event loops run on, and why not the native one if not. */
  private static void logTransport(Vertx vertx, ServerConfig config) {
    if (vertx.isNativeTransportEnabled()) {
      LOG.info("transport: native ({})", Transport.nativeTransport().name());
    } else if (!config.nativeTransport()) {
      LOG.info("transport: NIO (--native-transport false)");
    } else {
      Throwable cause = vertx.unavailableNativeTransportCause();
      LOG.info(
          "transport: NIO (native transport unavailable: {})",
          cause == null ? "none for this platform" : cause.toString());
    }
  }

  /**
   * The cluster's compaction agreements. A round waits for a holder whose member left for the
   * compaction lag (a member cut off by a split keeps writing; the lag is how stale a view may be
   * anyway), and at least three anti-entropy rounds and {@value #MIN_FLOOR_GRACE_MS} ms (a crashed
   * member's last commit has landed by then); an open round that has not settled in twice that may
   * be replaced by a new proposal.
   */
  static final long MIN_FLOOR_GRACE_MS = 5_000;

  private static HazelcastFloorAgreements floorAgreements(
      HazelcastMember hz, Vertx vertx, String replicaId, ServerConfig config) {
    long grace =
        Math.max(
            MIN_FLOOR_GRACE_MS,
            Math.max(Math.max(0, config.compactLagMs()), 3 * config.antiEntropyMs()));
    return new HazelcastFloorAgreements(hz, vertx, replicaId, grace, 2 * grace + 60_000);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get();
  }

  /** The replica id: configured, else read from (or created in) {@code <dataDir>/replica-id}. */
  static String resolveReplicaId(ServerConfig config) throws IOException {
    if (config.replicaId() != null && !config.replicaId().isBlank()) {
      String id = config.replicaId().trim();
      if (id.equals(Session.INIT_REPLICA) || !id.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            "--replica-id must match [A-Za-z0-9._-]{1,64} and not be \""
                + Session.INIT_REPLICA
                + "\": "
                + id);
      }
      return id;
    }
    Path f = config.dataDir().resolve("replica-id");
    if (Files.exists(f)) {
      return Files.readString(f, StandardCharsets.UTF_8).trim();
    }
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    String id = "r" + HexFormat.of().formatHex(b);
    Files.writeString(f, id + "\n", StandardCharsets.UTF_8);
    return id;
  }

  public int port() {
    return http.actualPort();
  }

  public String replicaId() {
    return replicaId;
  }

  public TokenService tokens() {
    return tokens;
  }

  public ServerConfig config() {
    return config;
  }

  /** The embedded Hazelcast member, or null when it is off. */
  public HazelcastMember hazelcast() {
    return hazelcast;
  }

  /**
   * Stops the node at once, as a crash would, but in-process: no flush, no goodbye to clients, the
   * Hazelcast member terminated without handing over. For tests of node loss.
   */
  public synchronized void crash() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (hazelcast != null) {
      hazelcast.terminate();
    }
    vertx.close();
    store.close();
  }

  /**
   * Graceful stop: no new sessions, queued batches committed (bounded by the grace period), clients
   * told to reconnect, then HTTP, Vert.x, Hazelcast and the store closed. Idempotent.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (demoAgents != null) {
      demoAgents.stopAll();
    }
    if (mcp != null) {
      mcp.close(); // MCP sessions end; their waits and watchers with the sessions below
    }
    LOG.info("stopping: flushing sessions");
    try {
      await(registry.shutdown());
    } catch (Exception e) {
      LOG.warn("flush on stop failed: {}", e.toString());
    }
    try {
      await(http.close());
    } catch (Exception e) {
      LOG.warn("closing HTTP failed: {}", e.toString());
    }
    if (replicator instanceof HazelcastReplicator h) {
      h.close();
    }
    try {
      await(vertx.close());
    } catch (Exception e) {
      LOG.warn("closing Vert.x failed: {}", e.toString());
    }
    if (hazelcast != null) {
      hazelcast.close();
    }
    store.close();
    LOG.info("stopped");
  }
}
