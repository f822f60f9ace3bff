package dev.chorus.server.session;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.store.OpLogStore;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anti-entropy for one session: asks the store (which every node of a cluster shares, and which
 * holds every acked change) for every change the session's version vector does not include, and
 * applies what comes back. A replica never trusts that topic messages brought it everything: it
 * catches up when it loads the session, when the cluster's membership changes (a member left,
 * joined, or this one merged back after a split), when a change waits too long for a missing
 * dependency (a gap), before a resuming client's welcome, and periodically.
 *
 * <p>Owned by the session's context: every method runs there. Requests that arrive while a round is
 * running are served by one more round that starts after it (a round started before a request
 * cannot promise to include what the request is about).
 */
final class CatchUp {
  private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);

  /** How long a change may wait for a missing dependency before a catch-up is asked for. */
  static final long GAP_MS = 300;

  /** Rounds that still leave changes waiting before the session is reloaded from the store. */
  static final int STALE_ROUNDS = 5;

  private final Session session;
  private final SessionRegistry registry;
  private final OpLogStore store;
  private final Counter rounds;
  private final Counter found;
  private boolean running;
  private Promise<Void> next;
  private long gapTimer = -1;
  private int roundsWithGap;

  CatchUp(Session session, SessionRegistry registry, OpLogStore store) {
    this.session = session;
    this.registry = registry;
    this.store = store;
    this.rounds =
        Counter.builder("chorus.catchup.rounds")
            .description("catch-up rounds of sessions (anti-entropy)")
            .register(registry.metrics().registry());
    this.found =
        Counter.builder("chorus.catchup.changes")
            .description("changes a catch-up round found that messages had not brought")
            .register(registry.metrics().registry());
  }

  /** A round that starts now or right after the running one; completes when it is applied. */
  Future<Void> request() {
    if (next == null) {
      next = Promise.promise();
    }
    Future<Void> f = next.future();
    if (!running) {
      start();
    }
    return f;
  }

  /**
   * Like {@link #request}, but completes after {@code ms} at the latest, whatever the round does.
   */
  Future<Void> requestWithin(long ms) {
    Promise<Void> done = Promise.promise();
    long timer = registry.vertx().setTimer(ms, t -> done.tryComplete());
    request()
        .onComplete(
            ar -> {
              registry.vertx().cancelTimer(timer);
              done.tryComplete();
            });
    return done.future();
  }

  /** True while a round runs or one is queued (welcomes wait for it). */
  boolean busy() {
    return running || next != null;
  }

  /** A change is waiting for a dependency: ask for a catch-up if it still waits in a moment. */
  void gapSeen() {
    if (gapTimer >= 0) {
      return;
    }
    gapTimer =
        registry
            .vertx()
            .setTimer(
                GAP_MS,
                t ->
                    session
                        .context()
                        .runOnContext(
                            v -> {
                              gapTimer = -1;
                              if (session.cluster().replicas().waiting() > 0) {
                                request();
                              }
                            }));
  }

  private void start() {
    running = true;
    Promise<Void> done = next;
    next = null;
    String id = session.id();
    VersionVector have = session.version();
    Future<OpLogStore.CatchUp> fromStore =
        registry
            .storeExecutor()
            .executeBlocking(() -> store.changesAfter(id, have.toString()), false);
    fromStore.onComplete(ar -> session.context().runOnContext(v -> finish(fromStore, done)));
  }

  private void finish(Future<OpLogStore.CatchUp> fromStore, Promise<Void> done) {
    running = false;
    rounds.increment();
    try {
      if (fromStore.succeeded()) {
        found.increment(session.cluster().replicas().apply(toEntries(fromStore.result())));
      } else {
        LOG.warn(
            "session {}: store catch-up failed: {}", session.id(), fromStore.cause().toString());
      }
      checkGap(fromStore);
    } catch (RuntimeException e) {
      LOG.error("session {}: catch-up failed", session.id(), e);
    }
    if (fromStore.failed()) {
      done.fail(fromStore.cause());
    } else {
      done.complete();
    }
    if (next != null) {
      start();
    }
  }

  /**
   * Changes still waiting after a full round have dependencies nobody has any more in the log: the
   * store compacted them into a snapshot this replica does not cover. Reload from that snapshot.
   */
  private void checkGap(Future<OpLogStore.CatchUp> fromStore) {
    if (session.cluster().replicas().waiting() == 0) {
      roundsWithGap = 0;
      return;
    }
    roundsWithGap++;
    boolean snapshotAhead =
        fromStore.succeeded()
            && !session
                .version()
                .dominates(VersionVector.parse(fromStore.result().snapshotVersion()));
    if (snapshotAhead || roundsWithGap >= STALE_ROUNDS) {
      LOG.warn(
          "session {}: {} changes wait for dependencies the log no longer holds; reloading",
          session.id(),
          session.cluster().replicas().waiting());
      session.reload();
      return;
    }
    gapSeen();
  }

  private static List<OpLogEntry> toEntries(OpLogStore.CatchUp c) {
    List<OpLogEntry> out = new ArrayList<>(c.changes().size());
    for (OpLogStore.StoredBatch sb : c.changes()) {
      OpLogStore.BatchRecord r = sb.record();
      for (OpLogStore.StoredChange sc : sb.changes()) {
        out.add(
            new OpLogEntry(
                sc.replica(),
                sc.startCounter(),
                sc.endCounter(),
                sc.json(),
                r == null ? null : r.batchId(),
                r == null ? null : r.contentHash(),
                r == null ? null : r.version(),
                r == null ? null : r.resultsJson(),
                null,
                sc.seq()));
      }
    }
    return out;
  }

  /** Stops the gap timer (the session is unloaded). */
  void close() {
    if (gapTimer >= 0) {
      registry.vertx().cancelTimer(gapTimer);
      gapTimer = -1;
    }
  }
}
