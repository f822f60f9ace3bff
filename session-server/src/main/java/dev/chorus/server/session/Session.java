package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session: one {@link Doc} replica owned by one Vert.x context, and the stages that work on it.
 * Every method that touches the doc or the participants runs on that context ({@link #exec} hops
 * there), in arrival order, so there are no locks around CRDT state.
 *
 * <p>A write flows through {@link WritePath}: admit, translate, check, apply, make durable ({@link
 * GroupCommit}), publish ({@link Publisher}); see docs/architecture.md. Changes of other replicas
 * go through {@link RemoteChanges}; presence through {@link PresenceBoard}; claim leases through
 * {@link Claims}. This class owns the context and the state they share, and wires them.
 *
 * <p>If a commit fails, the in-memory doc is ahead of the store: the session is marked broken,
 * every waiting batch fails with {@code internal}, participants are disconnected and the registry
 * drops the session; the next access reloads it from the store.
 */
public final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);

  /** Author of the server's own writes (lease expiry, released claims). */
  public static final Author SERVER = Author.agent("chorus-server");

  /** Replica id of the deterministic initial content every node of a cluster writes alike. */
  public static final String INIT_REPLICA = "init";

  private final String id;
  private final Shape shape;
  private final Doc doc;
  private final Context context;
  private final SessionRegistry registry;

  private final Participants participants = new Participants();
  private final Idempotency idempotency;
  private final ChangeHistory history;
  private final PresenceBoard presence;
  private final SessionReads reads;
  private final Snapshots snapshots;
  private final GroupCommit commit;
  private final WritePath writes;
  private final SessionCluster cluster;
  private final Claims claims;

  private boolean broken;
  private long seq;
  private long lastUsedMillis = System.currentTimeMillis();

  Session(
      String id,
      Shape shape,
      Doc doc,
      Context context,
      SessionRegistry registry,
      OpLogStore store,
      long seq,
      int idempotencyWindow) {
    this.id = id;
    this.shape = shape;
    this.doc = doc;
    this.context = context;
    this.registry = registry;
    this.seq = seq;
    ServerConfig config = registry.config();
    Replicator replicator = registry.replicator();
    this.idempotency = new Idempotency(idempotencyWindow);
    this.history = new ChangeHistory(doc, config.idempotencyWindow());
    this.presence = new PresenceBoard(id, participants, replicator);
    this.reads = new SessionReads(id, shape, doc, history, presence);
    this.snapshots =
        new Snapshots(
            id,
            doc,
            context,
            registry.storeExecutor(),
            store,
            registry.metrics(),
            config,
            registry::compacts,
            registry.clusterCompacts() ? this::proposeFloor : null);
    Publisher publisher =
        new Publisher(id, participants, replicator, registry.metrics(), reads::view);
    this.commit =
        new GroupCommit(
            id,
            context,
            registry.storeExecutor(),
            store,
            registry.metrics(),
            snapshots,
            publisher,
            () -> broken,
            () -> this.seq,
            this::commitFailed);
    WriteCheck check = new WriteCheck(doc, shape, config.maxDocBytes());
    this.writes =
        new WritePath(
            doc,
            new Admission(
                id,
                idempotency,
                registry.rateLimiter(),
                registry.sessionRateLimiter(),
                config.sessionQueueLimit(),
                registry.metrics()::duplicate),
            check,
            new WriteApplier(doc),
            idempotency,
            history,
            commit,
            participants,
            reads::view,
            this::nextSeq);
    CatchUp catchUp = new CatchUp(this, registry, store);
    ClusterFloor floor =
        registry.clusterCompacts()
            ? new ClusterFloor(
                id,
                registry.replicaId(),
                doc,
                check,
                registry.floors(),
                catchUp::request,
                snapshots::compact,
                commit::durable)
            : null;
    RemoteChanges remote =
        new RemoteChanges(
            id,
            doc,
            history,
            idempotency,
            check,
            publisher,
            s -> this.seq = Math.max(this.seq, s),
            catchUp::gapSeen);
    this.cluster =
        new SessionCluster(
            context,
            replicator.clustered(),
            () -> broken,
            new ReplicaLink(id, doc, replicator, remote, presence, () -> broken),
            catchUp,
            floor);
    this.claims =
        new Claims(
            id, doc, () -> replicator.leads(id), (b, principal) -> submit(b, principal, null));
  }

  public String id() {
    return id;
  }

  public Shape shape() {
    return shape;
  }

  public Context context() {
    return context;
  }

  /** Runs {@code task} on this session's context; the future completes there. */
  public <T> Future<T> exec(Callable<T> task) {
    return run(task, true);
  }

  /** Like {@link #exec} for housekeeping, which must not count as use (or nothing ever unloads). */
  <T> Future<T> maintain(Callable<T> task) {
    return run(task, false);
  }

  private <T> Future<T> run(Callable<T> task, boolean use) {
    Promise<T> p = Promise.promise();
    context.runOnContext(
        v -> {
          if (use) {
            lastUsedMillis = System.currentTimeMillis();
          }
          try {
            p.complete(task.call());
          } catch (Throwable t) {
            p.fail(t);
          }
        });
    return p.future();
  }

  /** Like {@link #exec} for tasks that themselves return a future. */
  public <T> Future<T> execAsync(Callable<Future<T>> task) {
    return exec(task).compose(f -> f);
  }

  // ---------------------------------------------------------------- loading (registry only)

  void loaded(OpLogStore.SessionData data) {
    long ops = 0;
    for (OpLogStore.StoredChange sc : data.changes()) {
      // Its events were reported when it was made: replay without working them out again.
      Change c = ChangeCodec.fromJson(sc.json());
      doc.replay(c);
      history.batchOf(sc.replica(), sc.startCounter(), sc.batchId());
      ops += c.ops().size();
    }
    // What the stored snapshot does not cover counts towards the next one.
    snapshots.loaded(data.compactionMarks(), data.changes().size(), ops);
    // The history of the snapshot's changes names their batches too, as far as they are stored.
    for (OpLogStore.StoredChange sc : data.covered()) {
      history.batchOf(sc.replica(), sc.startCounter(), sc.batchId());
    }
    for (OpLogStore.BatchRecord r : data.batches()) {
      idempotency.remember(r.batchId(), r.contentHash(), r.version(), r.resultsJson());
    }
  }

  /** Applies the shape's initial content as the session's first change (before it serves). */
  Change initialChange() {
    Change c = shape.initialChange();
    if (c != null) {
      doc.apply(c);
    }
    return c;
  }

  long nextSeq() {
    return ++seq;
  }

  // ---------------------------------------------------------------- reads (on context)

  public VersionVector version() {
    return doc.version();
  }

  /** The session's reads as wire JSON (document, conflicts, changes since, presence). */
  public SessionReads reads() {
    return reads;
  }

  // ---------------------------------------------------------------- participants (on context)

  /** Adds a participant and builds its welcome ({@code since} may be null). */
  public ObjectNode join(Participant p, String since) {
    if (broken) {
      throw new ChorusException(ErrorCode.INTERNAL, "session is reloading, reconnect");
    }
    participants.add(p);
    return reads.welcome(p, since);
  }

  /**
   * Like {@link #join}, after what a resuming client waits for ({@link SessionCluster}); joined in
   * this turn when there is nothing to wait for. On context.
   */
  public Future<ObjectNode> joinAsync(Participant p, String since) {
    Future<Void> ready = cluster.beforeResume(since);
    return ready.succeeded()
        ? Future.succeededFuture(join(p, since))
        : ready.compose(v -> exec(() -> join(p, since)));
  }

  /** Removes a participant; tells the others if it had presence; its claims may go with it. */
  public void leave(Participant p) {
    if (!participants.remove(p)) {
      return;
    }
    presence.left(p);
    lastUsedMillis = System.currentTimeMillis();
    String actor = p.principal().actorId();
    if (Shape.AGENT_SESSION.equals(shape.name())
        && p.isActorConnection()
        && !broken
        && !participants.hasActor(actor)
        && !presence.actorElsewhere(actor)) {
      claims.holderLeft(actor, p.participantId());
    }
  }

  /** Updates a participant's presence and tells the others. */
  public void presence(Participant p, ObjectNode state, long ttlMs) {
    presence.set(p, state, ttlMs);
  }

  /** Periodic housekeeping: expire presence; release expired claims. On context. */
  void sweep(long now) {
    presence.expire(now);
    if (Shape.AGENT_SESSION.equals(shape.name()) && !broken) {
      claims.releaseExpired(now);
    }
  }

  boolean idle(long now, long idleMs) {
    return participants.isEmpty()
        && commit.idle()
        && !cluster.busy()
        && !snapshots.writing()
        && now - lastUsedMillis >= idleMs;
  }

  // ---------------------------------------------------------------- writes (on context)

  /**
   * Checks, applies and queues a batch; the future completes (on this context) once the batch is
   * durable, or fails with a {@link ChorusException}. {@code origin} (null for REST) gets no {@code
   * change} frame for its own batch.
   */
  public Future<BatchResult> submit(Frames.Batch b, Principal principal, Participant origin) {
    long start = System.nanoTime();
    try {
      if (broken) {
        throw new ChorusException(ErrorCode.INTERNAL, "session is reloading; retry the batch");
      }
      return writes.submit(b, principal, origin, start);
    } catch (ChorusException e) {
      registry.metrics().error(e.code().wireName());
      return Future.failedFuture(e.withBatchId(b.batchId()));
    }
  }

  /** A commit failed: the document is ahead of the store, so drop this session (see class doc). */
  private void commitFailed(List<PendingWrite> lost, Throwable cause) {
    LOG.error("session {}: store commit failed, reloading the session", id, cause);
    broken = true;
    for (PendingWrite w : lost) {
      idempotency.forget(w.batch().batchId());
      ObjectNode d = Values.NODES.objectNode().put("batchId", w.batch().batchId());
      w.outcome()
          .fail(
              new ChorusException(
                  ErrorCode.INTERNAL, "store commit failed; retry with the same batchId", d));
    }
    participants.closeAll(1011, "session store failure; reconnect with since");
    registry.evict(this);
  }

  // ---------------------------------------------------------------- replication (on context)

  /** Its part in the cluster: replicas, catch-up rounds, compaction floor. */
  SessionCluster cluster() {
    return cluster;
  }

  private void proposeFloor(VersionVector candidate) {
    cluster.proposeFloor(candidate);
  }

  /**
   * This replica cannot catch up by changes any more (what it lacks was compacted into a snapshot):
   * drop it; participants reconnect (with {@code since}) to a fresh load.
   */
  void reload() {
    if (broken || !commit.idle() || snapshots.writing()) {
      return; // retried by the next catch-up round
    }
    broken = true;
    participants.closeAll(1012, "session reloading; reconnect with since");
    registry.evict(this);
  }

  // ---------------------------------------------------------------- snapshots and shutdown

  /**
   * Writes a snapshot if changes were made since the stored one (before an idle unload and at
   * shutdown), so that the next load decodes it instead of replaying those changes. Completes on
   * this context once it is written; at once if there is nothing to write, a commit is queued or in
   * flight or a snapshot is being written. A failure is logged and changes nothing else: the
   * changes are in the store. Call on context.
   */
  Future<Void> snapshotIfBehind() {
    if (broken || !commit.idle() || snapshots.writing() || !snapshots.behind()) {
      return Future.succeededFuture();
    }
    return snapshots.write(snapshots.take(seq));
  }

  /** Closes every connection (shutdown): a last error frame, then status 1001. */
  void shutdown(long retryAfterMs) {
    participants.shutdown(retryAfterMs);
  }

  /** Future completing when nothing is waiting for the store (shutdown). */
  Future<Void> drained() {
    return exec(() -> commit.idle() && !snapshots.writing())
        .compose(
            done -> {
              if (done || broken) {
                return Future.succeededFuture();
              }
              Promise<Void> p = Promise.promise();
              registry.vertx().setTimer(10, t -> drained().onComplete(p));
              return p.future();
            });
  }
}
