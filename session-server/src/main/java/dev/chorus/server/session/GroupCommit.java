package dev.chorus.server.session;

import dev.chorus.crdt.op.Change;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The make-durable stage: every write applied while the previous group was committing joins the
 * next group (group commit), which goes to the store in one transaction ({@link CommitPipeline});
 * the store is the one durable copy, in a cluster too (the nodes share it). Once a group is durable
 * the {@link Publisher} acks it and broadcasts it, to other nodes as well, and a snapshot taken
 * with it is written ({@code seq}: the session's log position).
 *
 * <p>If a commit fails, the in-memory document is ahead of the store: {@code onFailure} gets every
 * write not yet durable (the session then fails them, disconnects its participants and is loaded
 * again from the store). On the session's context.
 */
final class GroupCommit {
  /** A group of writes on its way to the store; {@code entries} are what other nodes get. */
  private record Group(
      List<PendingWrite> writes,
      List<OpLogStore.StoredBatch> rows,
      List<OpLogEntry> entries,
      Snapshots.Taken snapshot) {}

  private final String sessionId;
  private final Context context;
  private final OpLogStore store;
  private final Metrics metrics;
  private final Snapshots snapshots;
  private final Publisher publisher;
  private final BooleanSupplier broken;
  private final LongSupplier seq;
  private final BiConsumer<List<PendingWrite>, Throwable> onFailure;
  private final CommitPipeline<Group> pipeline;
  private final List<PendingWrite> pending = new ArrayList<>();
  private boolean flushScheduled;
  // log positions of the newest write added and the newest committed, and who waits for which
  private long lastAdded;
  private long lastCommitted;
  private final TreeMap<Long, Promise<Void>> durableWaiters = new TreeMap<>();

  GroupCommit(
      String sessionId,
      Context context,
      WorkerExecutor storeExecutor,
      OpLogStore store,
      Metrics metrics,
      Snapshots snapshots,
      Publisher publisher,
      BooleanSupplier broken,
      LongSupplier seq,
      BiConsumer<List<PendingWrite>, Throwable> onFailure) {
    this.sessionId = sessionId;
    this.context = context;
    this.store = store;
    this.metrics = metrics;
    this.snapshots = snapshots;
    this.publisher = publisher;
    this.broken = broken;
    this.seq = seq;
    this.onFailure = onFailure;
    this.pipeline =
        new CommitPipeline<>(
            context,
            storeExecutor,
            this::write,
            new CommitPipeline.Settled<>() {
              @Override
              public void committed(Group g, long submittedNanos) {
                GroupCommit.this.committed(g, submittedNanos);
              }

              @Override
              public void failed(List<Group> lost, Throwable cause) {
                GroupCommit.this.failed(lost, cause);
              }
            });
  }

  /** Writes applied and not yet handed to the store. */
  int queued() {
    return pending.size();
  }

  /** Queues an applied write for the next group. */
  void add(PendingWrite w) {
    pending.add(w);
    lastAdded = Math.max(lastAdded, w.seq());
    scheduleFlush();
  }

  /**
   * Completes once every write added so far is committed (groups commit in order); fails if one of
   * them cannot be (the session is then reloaded).
   */
  Future<Void> durable() {
    if (lastAdded <= lastCommitted) {
      return Future.succeededFuture();
    }
    return durableWaiters.computeIfAbsent(lastAdded, k -> Promise.promise()).future();
  }

  /** Nothing queued or in flight. */
  boolean idle() {
    return pending.isEmpty() && pipeline.idle();
  }

  /** Nothing in flight (writes may be queued). */
  boolean pipelineIdle() {
    return pipeline.idle();
  }

  private void scheduleFlush() {
    if (flushScheduled || !pipeline.accepting() || pending.isEmpty() || broken.getAsBoolean()) {
      return;
    }
    flushScheduled = true;
    // Let every batch that arrives in this loop turn join the group.
    context.runOnContext(v -> flush());
  }

  private void flush() {
    flushScheduled = false;
    if (broken.getAsBoolean() || !pipeline.accepting() || pending.isEmpty()) {
      return;
    }
    List<PendingWrite> writes = new ArrayList<>(pending);
    pending.clear();
    List<OpLogStore.StoredBatch> rows = new ArrayList<>(writes.size());
    List<OpLogEntry> entries = new ArrayList<>(writes.size());
    long ops = 0;
    for (PendingWrite w : writes) {
      Change c = w.change();
      boolean record = w.recordsBatch();
      BatchResult r = w.result();
      String resultsJson = record ? r.resultsJson() : null;
      entries.add(
          new OpLogEntry(
              c.replica(),
              c.startCounter(),
              c.endCounter(),
              w.changeJson(),
              record ? w.batch().batchId() : null,
              record ? w.batch().contentHash() : null,
              record ? r.version() : null,
              resultsJson,
              w.opsJson(),
              w.seq()));
      rows.add(
          new OpLogStore.StoredBatch(
              record
                  ? new OpLogStore.BatchRecord(
                      w.batch().batchId(),
                      w.batch().contentHash(),
                      r.version(),
                      resultsJson,
                      w.seq())
                  : null,
              List.of(
                  new OpLogStore.StoredChange(
                      c.replica(), c.startCounter(), c.endCounter(), w.seq(), w.changeJson()))));
      ops += c.ops().size();
      snapshots.encoded(c, w.changeJson());
    }
    snapshots.counted(writes.size(), ops);
    Snapshots.Taken snapshot = snapshots.due() ? snapshots.take(seq.getAsLong()) : null;
    pipeline.submit(new Group(writes, rows, entries, snapshot));
  }

  /** On a store thread: every queued group in one append. */
  private void write(List<Group> queued) throws Exception {
    List<OpLogStore.StoredBatch> rows = new ArrayList<>();
    queued.forEach(g -> rows.addAll(g.rows()));
    long start = System.nanoTime();
    store.append(sessionId, rows);
    metrics.storeWrite(System.nanoTime() - start);
  }

  private void committed(Group g, long submittedNanos) {
    metrics.storeLatency(System.nanoTime() - submittedNanos);
    for (PendingWrite w : g.writes()) {
      lastCommitted = Math.max(lastCommitted, w.seq());
    }
    Map<Long, Promise<Void>> done = durableWaiters.headMap(lastCommitted, true);
    done.values().forEach(Promise::complete);
    done.clear();
    publisher.committed(g.writes(), g.entries());
    if (g.snapshot() != null) {
      snapshots.write(g.snapshot());
    }
    scheduleFlush();
  }

  private void failed(List<Group> lost, Throwable cause) {
    List<PendingWrite> all = new ArrayList<>();
    lost.forEach(g -> all.addAll(g.writes()));
    all.addAll(pending);
    pending.clear();
    durableWaiters.values().forEach(p -> p.fail(cause));
    durableWaiters.clear();
    onFailure.accept(all, cause);
  }
}
