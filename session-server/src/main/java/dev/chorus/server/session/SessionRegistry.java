package dev.chorus.server.session;

import dev.chorus.server.ServerConfig;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.replication.FloorAgreements;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of this node: loads a session on first use (from the store, or creates it from its
 * shape), pins it to one owner context (a session id always maps to the same one of {@code hosts}
 * event-loop contexts), unloads it when idle, and runs the periodic sweep (presence TTL, claim
 * leases).
 *
 * <p>Thread-safe: {@link #open} may be called from any context.
 */
public final class SessionRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

  /** Session ids the server accepts. */
  public static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final Vertx vertx;
  private final ServerConfig config;
  private final OpLogStore store;
  private final Replicator replicator;
  private final Optional<FloorAgreements> floors;
  private final Metrics metrics;
  private final RateLimiter rateLimiter;
  private final RateLimiter sessionRateLimiter;
  private final WorkerExecutor storeExecutor;
  private final String replicaId;
  private final SessionLoader loader;
  private final List<Context> hosts = new ArrayList<>();
  private final ConcurrentHashMap<String, Future<Session>> sessions = new ConcurrentHashMap<>();
  private long sweepTimer = -1;
  private long antiEntropyTimer = -1;
  private volatile boolean closing;
  // compaction is on, with this node's own embedded store and no cluster settings (see compacts)
  private final boolean aloneByConfig;

  public SessionRegistry(
      Vertx vertx,
      ServerConfig config,
      OpLogStore store,
      Replicator replicator,
      Optional<FloorAgreements> floors,
      Metrics metrics,
      String replicaId) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.replicator = replicator;
    this.floors = floors;
    this.metrics = metrics;
    this.replicaId = replicaId;
    this.rateLimiter = new RateLimiter(config.opsPerSecond());
    this.sessionRateLimiter = new RateLimiter(config.sessionOpsPerSecond());
    this.aloneByConfig =
        config.compactLagMs() >= 0
            && (config.storeUrl() == null || config.storeUrl().isBlank())
            && config.hazelcastMembers().isEmpty()
            && config.hazelcastK8sServiceDns().isBlank();
    this.storeExecutor =
        vertx.createSharedWorkerExecutor("chorus-store", Math.max(1, config.storeThreads()));
    this.loader = new SessionLoader(this, store);
    metrics.gauge("chorus.sessions", "sessions loaded", sessions::size);
  }

  /** Deploys the owner contexts (one per event loop, at most 8) and starts the sweep. */
  public Future<Void> start() {
    int n = Math.max(1, Math.min(8, config.eventLoopThreads()));
    List<Future<?>> deployed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      deployed.add(
          vertx.deployVerticle(
              new VerticleBase() {
                @Override
                public Future<?> start() {
                  synchronized (hosts) {
                    hosts.add(context);
                  }
                  return Future.succeededFuture();
                }
              }));
    }
    return Future.all(deployed)
        .map(
            v -> {
              sweepTimer = vertx.setPeriodic(1000, t -> sweep());
              watchCluster();
              return null;
            });
  }

  public ServerConfig config() {
    return config;
  }

  /**
   * Anti-entropy triggers of the node: membership changes and a periodic round. Every loaded
   * session catches up (see {@link CatchUp}); presence of a replica that left is dropped.
   */
  private void watchCluster() {
    if (!replicator.clustered()) {
      return;
    }
    replicator.onTopology(
        new Replicator.TopologyListener() {
          @Override
          public void onJoined() {
            catchUpAll();
          }

          @Override
          public void onLeft(String replica) {
            forEachSession(s -> s.cluster().replicaLeft(replica));
          }
        });
    if (config.antiEntropyMs() > 0) {
      antiEntropyTimer = vertx.setPeriodic(config.antiEntropyMs(), t -> catchUpAll());
    }
  }

  private void catchUpAll() {
    forEachSession(
        s -> {
          s.cluster().catchUp();
          s.cluster().pollFloor();
        });
  }

  private void forEachSession(java.util.function.Consumer<Session> task) {
    if (closing) {
      return;
    }
    for (Future<Session> f : sessions.values()) {
      if (f.succeeded()) {
        Session s = f.result();
        s.exec(
            () -> {
              task.accept(s);
              return null;
            });
      }
    }
  }

  public Metrics metrics() {
    return metrics;
  }

  public RateLimiter rateLimiter() {
    return rateLimiter;
  }

  /** Ops per second per session (all actors together), keyed by session id. */
  public RateLimiter sessionRateLimiter() {
    return sessionRateLimiter;
  }

  public Replicator replicator() {
    return replicator;
  }

  /**
   * Whether sessions compact (forget history and deleted values older than {@code
   * --compact-lag-ms}): only on a node that is its documents' only replica — its own embedded
   * store, no cluster settings, no other member. Compaction needs a version every replica has
   * applied and after which none accepts an edit based before it; nothing agrees on one across
   * nodes yet.
   */
  boolean compacts() {
    return aloneByConfig && replicator.members() <= 1;
  }

  /**
   * Whether sessions compact by agreeing a floor with the other replicas holding them ({@link
   * ClusterFloor}): a cluster node ({@link FloorAgreements} present) sharing its store with the
   * others ({@code --store-url}: a replica that loads a session later must find what the others
   * compacted), with compaction on.
   */
  boolean clusterCompacts() {
    return floors.isPresent()
        && config.compactLagMs() >= 0
        && config.storeUrl() != null
        && !config.storeUrl().isBlank();
  }

  /** The cluster's compaction agreements (present where {@link #clusterCompacts}). */
  FloorAgreements floors() {
    return floors.orElseThrow();
  }

  String replicaId() {
    return replicaId;
  }

  public WorkerExecutor storeExecutor() {
    return storeExecutor;
  }

  public Vertx vertx() {
    return vertx;
  }

  public int loaded() {
    return sessions.size();
  }

  private Context hostFor(String sessionId) {
    synchronized (hosts) {
      return hosts.get(Math.floorMod(sessionId.hashCode(), hosts.size()));
    }
  }

  /**
   * The session, loaded or created. {@code shapeIfNew} names the shape of a session that does not
   * exist yet (null = agent-session).
   */
  public Future<Session> open(String sessionId, String shapeIfNew) {
    if (closing) {
      return Future.failedFuture(
          new ChorusException(ErrorCode.SHUTTING_DOWN, "server is stopping"));
    }
    if (!SESSION_ID.matcher(sessionId).matches()) {
      return Future.failedFuture(
          new ChorusException(ErrorCode.BAD_FRAME, "session id must match " + SESSION_ID));
    }
    Shape shape;
    try {
      shape = Shape.of(shapeIfNew == null ? Shape.AGENT_SESSION : shapeIfNew);
    } catch (ChorusException e) {
      return Future.failedFuture(e);
    }
    if (config.maxSessions() > 0
        && sessions.size() >= config.maxSessions()
        && !sessions.containsKey(sessionId)) {
      // admission control: refuse clearly rather than load past what the node can hold
      return Future.failedFuture(
          new ChorusException(
              ErrorCode.OVERLOADED,
              "node holds its maximum of " + config.maxSessions() + " sessions; retry later",
              com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                  .objectNode()
                  .put("retryAfterMs", RateLimiter.jittered(1000))));
    }
    Future<Session> f =
        sessions.computeIfAbsent(sessionId, id -> loader.load(id, shape, hostFor(id)));
    return f.recover(
        t -> {
          sessions.remove(sessionId, f);
          return Future.failedFuture(t);
        });
  }

  /** Drops a session (after a store failure, or when idle). */
  void evict(Session s) {
    sessions.computeIfPresent(s.id(), (k, f) -> f.succeeded() && f.result() == s ? null : f);
    s.cluster().detach();
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Future<Session> f : sessions.values()) {
      if (!f.succeeded()) {
        continue;
      }
      Session s = f.result();
      s.maintain(
          () -> {
            s.sweep(now);
            if (s.idle(now, config.sessionIdleMs())) {
              // Snapshot first, so that the next load decodes it instead of replaying the changes
              // since the last one; unload only if still idle once it is written.
              s.snapshotIfBehind()
                  .onComplete(
                      ar -> {
                        if (s.idle(System.currentTimeMillis(), config.sessionIdleMs())) {
                          evict(s);
                        }
                      });
            }
            return null;
          });
    }
  }

  /**
   * Stops accepting sessions, waits until every queued batch is committed (bounded by the grace
   * period), then tells every participant to reconnect later and closes them, writes a snapshot of
   * every session changed since its last one, and leaves the compaction agreements (within the same
   * grace period).
   */
  public Future<Void> shutdown() {
    closing = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    if (antiEntropyTimer >= 0) {
      vertx.cancelTimer(antiEntropyTimer);
    }
    List<Future<?>> drained = new ArrayList<>();
    for (Future<Session> f : sessions.values()) {
      if (f.succeeded()) {
        Session s = f.result();
        drained.add(
            s.drained()
                .compose(
                    v ->
                        s.maintain(
                            () -> {
                              s.shutdown(1000);
                              // the next start decodes it instead of replaying these changes
                              return s.snapshotIfBehind();
                            }))
                .compose(written -> written)
                .compose(v -> s.maintain(s.cluster()::leaveFloor))
                .compose(left -> left));
      }
    }
    Promise<Void> p = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, config.shutdownGraceMs()), t -> p.tryComplete());
    Future.join(drained)
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              p.tryComplete();
            });
    return p.future().eventually(() -> storeExecutor.close());
  }
}
