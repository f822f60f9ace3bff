package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
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

  /** Longest a resuming client's welcome waits for a catch-up round. */
  static final long CATCH_UP_WAIT_MS = 15_000;

  private final String id;
  private final Shape shape;
  private final Doc doc;
  private final Context context;
  private final SessionRegistry registry;

  private final Participants participants = new Participants();
  private final Idempotency idempotency;
  private final ChangeHistory history;
  private final PresenceBoard presence;
  private final Snapshots snapshots;
  private final GroupCommit commit;
  private final WritePath writes;
  private final RemoteChanges remote;
  private final Claims claims;
  private final CatchUp catchUp;

  private boolean broken;
  private long seq;
  private long lastUsedMillis = System.currentTimeMillis();
  private AutoCloseable subscription;

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
    this.snapshots =
        new Snapshots(
            id,
            doc,
            context,
            registry.storeExecutor(),
            store,
            registry.metrics(),
            config,
            registry::compacts);
    Publisher publisher =
        new Publisher(id, participants, replicator, registry.metrics(), this::view);
    this.commit =
        new GroupCommit(
            id,
            context,
            registry.storeExecutor(),
            store,
            replicator,
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
            this::view,
            this::nextSeq);
    this.catchUp = new CatchUp(this, registry, store);
    this.remote =
        new RemoteChanges(
            id,
            doc,
            history,
            idempotency,
            check,
            commit,
            publisher,
            s -> this.seq = Math.max(this.seq, s),
            catchUp::gapSeen);
    this.claims = new Claims(id, doc, () -> replicator.leads(id), this::submit);
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

  /**
   * Applies the shape's initial content as the session's first change (before it serves). The
   * change is the same on every node (replica {@value #INIT_REPLICA}, time 0): nodes of a cluster
   * that open a new session at once write one change, not competing ones.
   */
  Change initialChange() {
    Map<String, Object> init = shape.initialContent();
    if (init.isEmpty()) {
      return null;
    }
    Doc seed = new Doc(INIT_REPLICA);
    Change c =
        seed.edit(
            SERVER, seed.version(), 0L, e -> init.forEach((k, v) -> e.set(Path.ROOT.child(k), v)));
    doc.apply(c);
    return c;
  }

  long nextSeq() {
    return ++seq;
  }

  // ---------------------------------------------------------------- reads (on context)

  public VersionVector version() {
    return doc.version();
  }

  public String stateHash() {
    return doc.stateHash();
  }

  public List<Conflict> conflicts() {
    return doc.conflicts();
  }

  public ArrayNode conflictsJson() {
    ArrayNode a = Values.NODES.arrayNode();
    for (Conflict c : doc.conflicts()) {
      a.add(WireJson.conflict(c));
    }
    return a;
  }

  /** The document with list element ids ({@code docs/protocol.md}, "The document on the wire"). */
  public JsonNode docJson() {
    return DocView.withIds(doc);
  }

  /** The document as plain JSON (lists without ids). */
  public JsonNode plainJson() {
    return Values.toJson(doc.toPlain());
  }

  /** {@code GET /v1/sessions/{id}} body. */
  public ObjectNode snapshotJson(boolean plain) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("session", id);
    o.put("shape", shape.name());
    o.put("version", doc.version().toString());
    o.put("stateHash", doc.stateHash());
    o.set("doc", plain ? plainJson() : docJson());
    o.set("conflicts", conflictsJson());
    return o;
  }

  /**
   * Changes not included in {@code since}, oldest first, each as a change body ({@code author,
   * batchId, changes, version}); throws {@code stale_base} if they are no longer retained.
   */
  public ArrayNode changesSince(VersionVector since) {
    return history.since(since);
  }

  /**
   * The changes not included in {@code since} that touched one of {@code paths} (or an ancestor or
   * descendant; the root path is everything), op by op, as UnseenChange JSON; {@code stale_base} if
   * {@code since} is not one of this document's versions or older than its history.
   */
  public ArrayNode changesTouching(VersionVector since, java.util.Collection<Path> paths) {
    if (!doc.version().dominates(since)) {
      throw new ChorusException(
          ErrorCode.STALE_BASE, "version " + since + " includes changes this server does not have");
    }
    ArrayNode a = Values.NODES.arrayNode();
    try {
      doc.unseenChanges(since, paths).forEach(u -> a.add(WireJson.unseen(u)));
    } catch (DocException e) {
      throw mapDocException(e);
    }
    return a;
  }

  /** Who is here: the presence of every participant that set one, on every node. */
  public ArrayNode presenceJson() {
    ArrayNode a = Values.NODES.arrayNode();
    presence.writeTo(a);
    return a;
  }

  /** {@code stateHash} and {@code doc} now, for participants that want the whole document. */
  private ObjectNode view() {
    ObjectNode v = Values.NODES.objectNode();
    v.put("stateHash", doc.stateHash());
    v.set("doc", docJson());
    return v;
  }

  // ---------------------------------------------------------------- participants (on context)

  /** Adds a participant and builds its welcome ({@code since} may be null). */
  public ObjectNode join(Participant p, String since) {
    if (broken) {
      throw new ChorusException(ErrorCode.INTERNAL, "session is reloading, reconnect");
    }
    participants.add(p);
    ObjectNode w = Values.NODES.objectNode();
    w.put("type", "welcome");
    w.put("session", id);
    w.put("shape", shape.name());
    w.put("participantId", p.participantId());
    w.set("actor", WireJson.actor(p.principal().author()));
    w.put("role", p.principal().role().wireName());
    w.put("version", doc.version().toString());
    w.put("stateHash", doc.stateHash());
    boolean resumed = false;
    if (since != null) {
      try {
        w.set("changes", changesSince(VersionVector.parse(since)));
        resumed = true;
      } catch (IllegalArgumentException | ChorusException e) {
        resumed = false;
      }
    }
    w.put("resumed", resumed);
    if (!resumed || p.wantsSnapshots()) {
      w.set("doc", docJson());
    }
    w.set("conflicts", conflictsJson());
    presence.writeTo(w.putArray("presence"));
    return w;
  }

  /**
   * Like {@link #join}, but a client resuming from a version ({@code since}) in a cluster first
   * waits for a catch-up round (bounded): it may come from another node that had changes this one
   * has not received yet, and its welcome must hold exactly what it missed — and a batch it
   * re-sends must be recognised if that node had applied it.
   */
  public Future<ObjectNode> joinAsync(Participant p, String since) {
    if (since == null || !registry.replicator().clustered()) {
      return Future.succeededFuture(join(p, since));
    }
    Promise<Void> caughtUp = Promise.promise();
    catchUp.request().onComplete(ar -> caughtUp.tryComplete());
    long timer = registry.vertx().setTimer(CATCH_UP_WAIT_MS, t -> caughtUp.tryComplete());
    return caughtUp
        .future()
        .compose(
            v -> {
              registry.vertx().cancelTimer(timer);
              return exec(() -> join(p, since));
            });
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

  public int participantCount() {
    return participants.size();
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
        && !catchUp.busy()
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
      return Future.failedFuture(withBatch(e, b.batchId()));
    } catch (DocException e) {
      ChorusException ce = mapDocException(e);
      registry.metrics().error(ce.code().wireName());
      return Future.failedFuture(withBatch(ce, b.batchId()));
    }
  }

  private Future<BatchResult> submit(Frames.Batch b, Principal principal) {
    return submit(b, principal, null);
  }

  private static ChorusException withBatch(ChorusException e, String batchId) {
    ObjectNode d = e.details() instanceof ObjectNode o ? o.deepCopy() : Values.NODES.objectNode();
    d.put("batchId", batchId);
    return new ChorusException(e.code(), e.getMessage(), d);
  }

  static ChorusException mapDocException(DocException e) {
    switch (e.code()) {
      case PATH_NOT_FOUND:
        return new ChorusException(ErrorCode.PATH_NOT_FOUND, e.getMessage());
      case STALE_BASE:
      case UNKNOWN_BASE:
        return new ChorusException(ErrorCode.STALE_BASE, e.getMessage());
      default:
        return new ChorusException(
            ErrorCode.INVALID_OP, e.code().wireName() + ": " + e.getMessage());
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

  /** Starts hearing from the other replicas; called once, on this context, before serving. */
  void attach() {
    subscription =
        registry
            .replicator()
            .subscribe(
                id,
                new Replicator.SessionListener() {
                  @Override
                  public void onEntries(List<OpLogEntry> entries) {
                    applyRemote(entries, false);
                  }

                  @Override
                  public void onPresence(String origin, ObjectNode participant, boolean left) {
                    remotePresence(origin, participant, left);
                  }
                });
  }

  /** Stops hearing from the other replicas (unloaded). Any thread. */
  void detach() {
    AutoCloseable s = subscription;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        LOG.debug("session {}: unsubscribe failed: {}", id, e.toString());
      }
    }
    context.runOnContext(v -> catchUp.close());
  }

  /** A catch-up round (see {@link CatchUp}); completes on this context. */
  Future<Void> catchUp() {
    return catchUp.request();
  }

  /** Changes received whose dependencies have not arrived yet. */
  int waitingChanges() {
    return doc.pending().size();
  }

  /** See {@link RemoteChanges#apply}; nothing while the session is broken. */
  int applyRemote(List<OpLogEntry> entries, boolean persist) {
    return broken ? 0 : remote.apply(entries, persist);
  }

  /** Presence of a participant of another replica: remember it (with its TTL) and pass it on. */
  void remotePresence(String origin, ObjectNode participant, boolean left) {
    if (!broken) {
      presence.remote(origin, participant, left);
    }
  }

  /** A replica left the cluster: its participants are gone (their presence with them). */
  void replicaLeft(String replica) {
    presence.nodeLeft(replica);
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

  /** Whether changes were made since the stored snapshot (on context). */
  boolean snapshotBehind() {
    return snapshots.behind();
  }

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
    ObjectNode f = Values.NODES.objectNode();
    f.put("type", "error");
    f.put("code", "shutting_down");
    f.put("message", "server is stopping; reconnect with since");
    f.put("fatal", true);
    for (Participant q : List.copyOf(participants.all())) {
      f.put("retryAfterMs", retryAfterMs + ThreadLocalRandom.current().nextLong(retryAfterMs + 1));
      q.send(f);
      q.close(1001, "server shutting down");
    }
    participants.closeAll(1001, "server shutting down");
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
