package dev.chorus.server.session;

import dev.chorus.crdt.op.Change;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The make-durable stage: every write applied while the previous group was committing joins the
 * next group (group commit), which goes to the store in one transaction and, in a cluster, to the
 * op-log map with its synchronous backups — the ack waits for both ({@link CommitPipeline}). Once a
 * group is durable the {@link Publisher} acks and broadcasts it, and a snapshot taken with it is
 * written ({@code seq}: the session's log position). Changes of other replicas that exist only in
 * the op log are written with the next group.
 *
 * <p>If a commit fails, the in-memory document is ahead of the store: {@code onFailure} gets every
 * write not yet durable (the session then fails them, disconnects its participants and is loaded
 * again from the store). On the session's context.
 */
final class GroupCommit {
  /** A group of writes (and remote changes) on its way to the store and the op log. */
  private record Group(
      List<PendingWrite> writes,
      List<OpLogStore.StoredBatch> rows,
      List<OpLogEntry> entries,
      Snapshots.Taken snapshot) {}

  private final String sessionId;
  private final Context context;
  private final OpLogStore store;
  private final Replicator replicator;
  private final Metrics metrics;
  private final Snapshots snapshots;
  private final Publisher publisher;
  private final BooleanSupplier broken;
  private final LongSupplier seq;
  private final BiConsumer<List<PendingWrite>, Throwable> onFailure;
  private final CommitPipeline<Group> pipeline;
  private final List<PendingWrite> pending = new ArrayList<>();
  private final List<OpLogStore.StoredBatch> remoteRows = new ArrayList<>();
  private boolean flushScheduled;

  GroupCommit(
      String sessionId,
      Context context,
      WorkerExecutor storeExecutor,
      OpLogStore store,
      Replicator replicator,
      Metrics metrics,
      Snapshots snapshots,
      Publisher publisher,
      BooleanSupplier broken,
      LongSupplier seq,
      BiConsumer<List<PendingWrite>, Throwable> onFailure) {
    this.sessionId = sessionId;
    this.context = context;
    this.store = store;
    this.replicator = replicator;
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
    scheduleFlush();
  }

  /** Queues a change of another replica that may exist only in the op log. */
  void addRemote(OpLogStore.StoredBatch row) {
    remoteRows.add(row);
    scheduleFlush();
  }

  /** Nothing queued or in flight. */
  boolean idle() {
    return pending.isEmpty() && remoteRows.isEmpty() && pipeline.idle();
  }

  /** Nothing in flight (writes may be queued). */
  boolean pipelineIdle() {
    return pipeline.idle();
  }

  private void scheduleFlush() {
    if (flushScheduled
        || !pipeline.accepting()
        || (pending.isEmpty() && remoteRows.isEmpty())
        || broken.getAsBoolean()) {
      return;
    }
    flushScheduled = true;
    // Let every batch that arrives in this loop turn join the group.
    context.runOnContext(v -> flush());
  }

  private void flush() {
    flushScheduled = false;
    if (broken.getAsBoolean()
        || !pipeline.accepting()
        || (pending.isEmpty() && remoteRows.isEmpty())) {
      return;
    }
    List<PendingWrite> writes = new ArrayList<>(pending);
    pending.clear();
    // Remote changes first: changes of this group may depend on them.
    List<OpLogStore.StoredBatch> rows = new ArrayList<>(remoteRows.size() + writes.size());
    rows.addAll(remoteRows);
    remoteRows.clear();
    List<OpLogEntry> entries = new ArrayList<>(writes.size());
    long ops = 0;
    for (PendingWrite w : writes) {
      Change c = w.change();
      boolean record = w.recordsBatch();
      BatchResult r = w.result();
      String resultsJson = record ? r.results().toString() : null;
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
    }
    snapshots.counted(writes.size(), ops);
    Snapshots.Taken snapshot = snapshots.due() ? snapshots.take(seq.getAsLong()) : null;
    pipeline.submit(
        new Group(writes, rows, entries, snapshot),
        () -> {
          long start = System.nanoTime();
          return replicator
              .persist(sessionId, entries)
              .onSuccess(v -> metrics.oplogWrite(System.nanoTime() - start));
        });
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
    onFailure.accept(all, cause);
  }
}
