package dev.chorus.server.session;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.HistoryChunks;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.type.StateImageCache;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a session's state is written whole, so a load decodes it instead of replaying every change:
 * counts what was committed since the last snapshot, takes one (the state captured on the session's
 * context, imaging only what changed since the last capture; encoding and compressing it left to a
 * store thread) when it is due, and — where this node is the only replica — first compacts the
 * history and deleted values older than the compaction floor. In a cluster it proposes the floor
 * instead ({@link ClusterFloor}), which calls {@link #compact} once the holders agree. Snapshots
 * are written beside the commit path, so acks never wait for them. On the session's context.
 */
final class Snapshots {
  private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

  /**
   * A snapshot taken: the captured state, and what it took off the counters (given back if it
   * cannot be written).
   */
  record Taken(
      SnapshotCodec.Capture state,
      String compactionMarks,
      String version,
      long seq,
      long keepBatchesFrom,
      int changes,
      long ops) {}

  private final String sessionId;
  private final Doc doc;
  private final Context context;
  private final WorkerExecutor storeExecutor;
  private final OpLogStore store;
  private final Metrics metrics;
  private final ServerConfig config;
  // whether this node is the only replica now (members come and go)
  private final BooleanSupplier compacts;
  // in a cluster (else null): where the floors found old enough are proposed
  private final Consumer<VersionVector> proposeFloor;
  private final CompactionFloor compactionFloor;
  // the history chunks of earlier snapshots, copied into the next instead of encoded again
  private final HistoryChunks historyChunks = new HistoryChunks();
  // the state's image at the last snapshot: the next capture images only what changed since
  private final StateImageCache stateImages = new StateImageCache();
  private int writing;
  // changes between snapshots: at least --snapshot-every, and half the history the last snapshot
  // held, so a history that grows does not make every snapshot cost more (see due())
  private long every;
  private int changesSince;
  // whether a compaction trimmed the history since the last snapshot (see due())
  private boolean compactedSince;
  private long opsSince;

  Snapshots(
      String sessionId,
      Doc doc,
      Context context,
      WorkerExecutor storeExecutor,
      OpLogStore store,
      Metrics metrics,
      ServerConfig config,
      BooleanSupplier compacts,
      Consumer<VersionVector> proposeFloor) {
    this.sessionId = sessionId;
    this.doc = doc;
    this.context = context;
    this.storeExecutor = storeExecutor;
    this.store = store;
    this.metrics = metrics;
    this.config = config;
    this.compacts = compacts;
    this.proposeFloor = proposeFloor;
    this.compactionFloor = new CompactionFloor(config.compactLagMs());
    this.every = config.snapshotEvery();
  }

  /** After a load: the compaction marks stored with the snapshot, and what it did not cover. */
  void loaded(String compactionMarks, int changes, long ops) {
    compactionFloor.restore(compactionMarks);
    every = spacing();
    changesSince = changes;
    opsSince = ops;
  }

  /**
   * A change about to be committed, with the JSON it is stored with: the next snapshot's history
   * chunk copies it instead of encoding the change again.
   */
  void encoded(Change change, String json) {
    historyChunks.encoded(change, json);
  }

  /** Changes committed since the last snapshot. */
  void counted(int changes, long ops) {
    changesSince += changes;
    opsSince += ops;
  }

  /**
   * A snapshot costs about what the document holds, its history included, and until a compaction
   * the history grows with every change: at a fixed spacing, each snapshot would cost more than the
   * last and the sum would grow with the square of the session's changes. Spacing them by half the
   * history the last one held (each holds 1.5 times the changes of the one before) keeps their cost
   * at about three captures per change in all; a quarter, the spacing before, cost five — a third
   * of a one-reader write's CPU in server-bench (docs/benchmarks.md). Once a compaction trims the
   * history, a quarter again: what is kept is then about the last two intervals (the floor trails a
   * snapshot), and only a quarter makes it shrink back instead of creeping up by every group
   * commit's overshoot. Only a load after a crash replays anything (an idle unload and a stop write
   * a snapshot first); {@code --snapshot-every-ops} still bounds that.
   */
  boolean due() {
    int everyOps = config.snapshotEveryOps();
    return changesSince >= every || (everyOps > 0 && opsSince >= everyOps);
  }

  private long spacing() {
    return Math.max(config.snapshotEvery(), doc.historySize() / (compactedSince ? 4 : 2));
  }

  /** Whether changes were made since the stored snapshot. */
  boolean behind() {
    return changesSince > 0;
  }

  /** Whether a snapshot is being written. */
  boolean writing() {
    return writing > 0;
  }

  /** Takes a snapshot of the state now ({@code seq}: the session's log position). */
  Taken take(long seq) {
    boolean compacting = compacts.getAsBoolean();
    if (compacting) {
      compactIfDue();
    } else if (proposeFloor != null) {
      VersionVector candidate = compactionFloor.next(doc.version(), System.currentTimeMillis());
      if (candidate != null) {
        proposeFloor.accept(candidate);
      }
    }
    long start = System.nanoTime();
    SnapshotCodec.Capture state = SnapshotCodec.capture(doc, historyChunks, stateImages);
    metrics.snapshotCaptured(System.nanoTime() - start);
    Taken t =
        new Taken(
            state,
            compacting || proposeFloor != null ? compactionFloor.encode() : null,
            doc.version().toString(),
            seq,
            Math.max(0, seq - config.idempotencyWindow()),
            changesSince,
            opsSince);
    every = spacing();
    compactedSince = false;
    changesSince = 0;
    opsSince = 0;
    return t;
  }

  /**
   * Writes a snapshot on a store thread, in the order they were taken. A failure only means the
   * next load replays more; it gives the counters back so the next one comes sooner. Completes on
   * the session's context.
   */
  Future<Void> write(Taken snap) {
    writing++;
    Promise<Void> done = Promise.promise();
    storeExecutor
        .executeBlocking(
            () -> {
              store.snapshot(
                  sessionId,
                  SnapshotCodec.encode(snap.state()),
                  snap.compactionMarks(),
                  snap.version(),
                  snap.seq(),
                  snap.keepBatchesFrom());
              metrics.snapshotWritten();
              return null;
            },
            true)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      writing--;
                      if (ar.failed()) {
                        LOG.warn(
                            "session {}: snapshot not written: {}",
                            sessionId,
                            ar.cause().toString());
                        counted(snap.changes(), snap.ops());
                      }
                      done.complete();
                    }));
    return done.future();
  }

  /**
   * Forgets the history and the deleted values older than the compaction floor, so a long-lived
   * busy session stops growing with its past (and its snapshots with it).
   */
  private void compactIfDue() {
    if (!doc.pending().isEmpty()) {
      return;
    }
    VersionVector floor = compactionFloor.next(doc.version(), System.currentTimeMillis());
    if (floor != null && !doc.horizon().dominates(floor)) {
      compact(floor);
    }
  }

  /**
   * Forgets the history and deleted values up to {@code floor}, which every replica has applied and
   * below which none accepts a write; the next snapshot holds what is left.
   */
  void compact(VersionVector floor) {
    long start = System.nanoTime();
    compactedSince = true;
    doc.compact(floor);
    metrics.compacted(System.nanoTime() - start);
  }
}
