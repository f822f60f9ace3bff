package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.ApplyResult;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Edit;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.codec.HistoryChunks;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ClientOp;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session: one {@link Doc} replica owned by one Vert.x context. Every method that touches the
 * doc or the participants runs on that context ({@link #exec} hops there), in arrival order, so
 * there are no locks around CRDT state.
 *
 * <p>Write path: a batch is checked (role, idempotency, rate, shape, precondition), applied to the
 * doc (all or nothing), queued; the queue is written to the store in one transaction (group commit:
 * everything that arrived while the previous commit was in flight); only after the commit are the
 * acks sent and the changes and conflict events broadcast, in apply order.
 *
 * <p>If a commit fails, the in-memory doc is ahead of the store: the session is marked broken,
 * every waiting batch fails with {@code internal}, participants are disconnected and the registry
 * drops the session; the next access reloads it from the store.
 */
public final class Session {
  private static final Logger LOG = LoggerFactory.getLogger(Session.class);
  private static final Pattern REF = Pattern.compile("\\$(\\d{1,4})");

  /** Author of the server's own writes (lease expiry, released claims). */
  public static final Author SERVER = Author.agent("chorus-server");

  private static final long UNMEASURED = -1;

  private final String id;
  private final Shape shape;
  private final Doc doc;
  private final Context context;
  private final SessionRegistry registry;
  private final OpLogStore store;

  private final Map<String, Participant> participants = new LinkedHashMap<>();
  private final Map<String, Presence> presence = new LinkedHashMap<>();
  private final Idempotency idempotency;
  private final Map<String, String> batchOfChange = new LinkedHashMap<>();
  private final List<Pending> pending = new ArrayList<>();
  private boolean flushScheduled;

  /** Snapshots being written (see {@link #writeSnapshot}). */
  private int snapshotsWriting;

  /** The history chunks of earlier snapshots, copied into the next instead of encoded again. */
  private final HistoryChunks historyChunks = new HistoryChunks();

  private final CompactionFloor compactionFloor;

  private final CommitPipeline<Commit> commits;
  private boolean broken;
  private long seq;
  private int changesSinceSnapshot;
  private long opsSinceSnapshot;
  // the document's size as plain JSON, from below (grown by what writes add, measured again before
  // refusing one); UNMEASURED until the first write needs it, so loads and reads never pay for it
  private long approxDocBytes = UNMEASURED;
  private long lastUsedMillis = System.currentTimeMillis();
  private final List<ConflictEvent> currentEvents = new ArrayList<>();
  private boolean loading;

  // Replication (cluster): changes of other replicas, their presence, catch-up.
  private final CatchUp catchUp;
  private final Map<String, RemotePresence> remotePresence = new LinkedHashMap<>();
  private final List<OpLogStore.StoredBatch> remoteRows = new ArrayList<>();
  private final Map<String, OpLogEntry> waitingEntries = new HashMap<>();
  private AutoCloseable subscription;

  /** A batch applied in memory and waiting for its commit. */
  private record Pending(
      Frames.Batch batch,
      Author author,
      Change change,
      String changeJson,
      ObjectNode changeFrame,
      List<ConflictEvent> events,
      Idempotency.Outcome outcome,
      Participant origin,
      long seq,
      long startNanos) {}

  /** Ephemeral presence of one participant. */
  record Presence(Participant participant, ObjectNode state, long expiresAt) {}

  /**
   * Presence of a participant connected to another replica ({@code participant} as on the wire).
   */
  record RemotePresence(String origin, ObjectNode participant, long expiresAt) {}

  /** Replica id of the deterministic initial content every node of a cluster writes alike. */
  public static final String INIT_REPLICA = "init";

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
    this.store = store;
    this.seq = seq;
    this.idempotency = new Idempotency(idempotencyWindow);
    this.catchUp = new CatchUp(this, registry, store);
    this.compactionFloor = new CompactionFloor(registry.config().compactLagMs());
    this.commits =
        new CommitPipeline<>(
            context,
            registry.storeExecutor(),
            this::write,
            new CommitPipeline.Settled<>() {
              @Override
              public void committed(Commit c, long submittedNanos) {
                Session.this.committed(c, submittedNanos);
              }

              @Override
              public void failed(List<Commit> lost, Throwable cause) {
                Session.this.failed(lost, cause);
              }
            });
    doc.addListener(
        (change, events) -> {
          if (!loading) {
            currentEvents.addAll(events);
          }
        });
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
    compactionFloor.restore(data.compactionMarks());
    loading = true;
    try {
      for (OpLogStore.StoredChange sc : data.changes()) {
        // Its events were reported when it was made: replay without working them out again.
        Change c = ChangeCodec.fromJson(sc.json());
        doc.replay(c);
        batchOfChange.put(changeKey(sc.replica(), sc.startCounter()), sc.batchId());
        opsSinceSnapshot += c.ops().size();
      }
      // What the stored snapshot does not cover counts towards the next one.
      changesSinceSnapshot = data.changes().size();
      // The history of the snapshot's changes names their batches too, as far as they are stored.
      for (OpLogStore.StoredChange sc : data.covered()) {
        if (sc.batchId() != null) {
          batchOfChange.put(changeKey(sc.replica(), sc.startCounter()), sc.batchId());
        }
      }
      for (OpLogStore.BatchRecord r : data.batches()) {
        idempotency.remember(r.batchId(), r.contentHash(), r.version(), r.resultsJson());
      }
    } finally {
      loading = false;
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
    loading = true;
    try {
      doc.apply(c);
    } finally {
      loading = false;
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
    if (!doc.version().dominates(since)) {
      throw new ChorusException(
          ErrorCode.STALE_BASE, "version " + since + " includes changes this server does not have");
    }
    List<Change> changes;
    try {
      changes = doc.changesSince(since);
    } catch (DocException e) {
      throw new ChorusException(
          ErrorCode.STALE_BASE,
          "changes since " + since + " are no longer retained: re-read the document");
    }
    ArrayNode out = Values.NODES.arrayNode();
    VersionVector v = since;
    for (Change c : changes) {
      v = v.merge(c.deps()).with(c.replica(), c.endCounter());
      ObjectNode b = out.addObject();
      b.set("author", WireJson.actor(c.author()));
      String batchId = batchOfChange.get(changeKey(c.replica(), c.startCounter()));
      if (batchId != null) {
        b.put("batchId", batchId);
      }
      b.putArray("changes").add(changeNode(c));
      b.put("version", v.toString());
    }
    return out;
  }

  private static JsonNode changeNode(Change c) {
    Object j = ChangeCodec.toJson(c);
    if (j instanceof JsonNode n) {
      return n;
    }
    try {
      return Values.MAPPER.readTree(j.toString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String changeKey(String replica, long start) {
    return start + "@" + replica;
  }

  // ---------------------------------------------------------------- participants (on context)

  /** Adds a participant and builds its welcome ({@code since} may be null). */
  public ObjectNode join(Participant p, String since) {
    if (broken) {
      throw new ChorusException(ErrorCode.INTERNAL, "session is reloading, reconnect");
    }
    participants.put(p.participantId(), p);
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
        VersionVector s = VersionVector.parse(since);
        w.set("changes", changesSince(s));
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
    ArrayNode pres = w.putArray("presence");
    for (Presence pr : presence.values()) {
      pres.add(presenceJson(pr));
    }
    for (RemotePresence rp : remotePresence.values()) {
      pres.add(rp.participant());
    }
    return w;
  }

  /** Removes a participant; tells the others if it had presence. */
  public void leave(Participant p) {
    if (participants.remove(p.participantId()) == null) {
      return;
    }
    Presence pr = presence.remove(p.participantId());
    if (pr != null) {
      broadcastPresence(pr, true, null);
      registry.replicator().publishPresence(id, presenceJson(pr), true);
    }
    lastUsedMillis = System.currentTimeMillis();
    String actor = p.principal().actorId();
    if (Shape.AGENT_SESSION.equals(shape.name())
        && !broken
        && participants.values().stream().noneMatch(q -> q.principal().actorId().equals(actor))
        // nor connected to another node of the cluster (as far as presence tells)
        && remotePresence.values().stream()
            .noneMatch(rp -> actor.equals(rp.participant().path("actor").path("id").asText()))) {
      // the holder's last connection is gone: its claims die with it
      releaseClaims(
          claim -> actor.equals(claim.get("actor")),
          "holder-left-" + p.participantId() + "-" + System.nanoTime());
    }
  }

  public int participantCount() {
    return participants.size();
  }

  /** Updates a participant's presence and tells the others. */
  public void presence(Participant p, ObjectNode state, long ttlMs) {
    Presence pr = new Presence(p, state, System.currentTimeMillis() + ttlMs);
    presence.put(p.participantId(), pr);
    broadcastPresence(pr, false, p);
    registry.replicator().publishPresence(id, presenceJson(pr), false);
  }

  private ObjectNode presenceJson(Presence pr) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("participantId", pr.participant().participantId());
    o.put("clientId", pr.participant().clientId());
    o.set("actor", WireJson.actor(pr.participant().principal().author()));
    o.set("state", pr.state());
    o.put("expiresAt", pr.expiresAt());
    return o;
  }

  private void broadcastPresence(Presence pr, boolean left, Participant except) {
    ObjectNode f = Values.NODES.objectNode();
    f.put("type", "presence");
    f.set("participant", presenceJson(pr));
    if (left) {
      f.put("left", true);
    }
    for (Participant q : participants.values()) {
      if (q != except) {
        q.send(f);
      }
    }
  }

  /** Periodic housekeeping: expire presence; release expired claims. On context. */
  void sweep(long now) {
    Iterator<Presence> it = presence.values().iterator();
    List<Presence> expired = new ArrayList<>();
    while (it.hasNext()) {
      Presence pr = it.next();
      if (pr.expiresAt() <= now) {
        it.remove();
        expired.add(pr);
      }
    }
    for (Presence pr : expired) {
      broadcastPresence(pr, true, null);
    }
    remotePresence.values().removeIf(rp -> rp.expiresAt() <= now && remotePresenceLeft(rp));
    if (Shape.AGENT_SESSION.equals(shape.name()) && !broken) {
      releaseExpiredClaims(now);
    }
  }

  private void releaseExpiredClaims(long now) {
    // In a cluster one replica releases (the one leading the session); the others only step in
    // if it has not after a grace period, so replicas do not write competing releases.
    long due = registry.replicator().leads(id) ? now : now - LEASE_RELEASE_GRACE_MS;
    releaseClaims(
        claim -> claim.get("until") instanceof Number until && until.longValue() <= due,
        "lease-expiry-" + now);
  }

  /**
   * Releases (server-authored write, broadcast like any change) every task claim matching {@code
   * which}: an orphaned claim is never silent (SCENARIOS 13).
   */
  private void releaseClaims(java.util.function.Predicate<Map<?, ?>> which, String batchId) {
    Object tasks;
    try {
      tasks = doc.get(Path.of("tasks"));
    } catch (DocException e) {
      return;
    }
    if (!(tasks instanceof Map<?, ?> m)) {
      return;
    }
    List<ClientOp> ops = new ArrayList<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> task
          && task.get("claim") instanceof Map<?, ?> claim
          && which.test(claim)) {
        ops.add(new ClientOp.Release("tasks/" + escape((String) e.getKey())));
      }
    }
    if (ops.isEmpty()) {
      return;
    }
    ObjectNode canon = Values.NODES.objectNode().put("release", batchId);
    Frames.Batch b =
        new Frames.Batch(batchId, null, false, List.copyOf(ops), null, Frames.hash(canon));
    submit(b, SERVER_PRINCIPAL, null)
        .onFailure(t -> LOG.warn("session {}: releasing claims failed: {}", id, t.toString()));
  }

  /** How long a replica not leading the session waits before releasing an expired claim. */
  static final long LEASE_RELEASE_GRACE_MS = 10_000;

  private static final Principal SERVER_PRINCIPAL =
      new Principal(
          SERVER.actorId(),
          SERVER.kind(),
          java.util.Set.of(Principal.ALL_SESSIONS),
          dev.chorus.server.auth.Role.OWNER,
          0);

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  boolean idle(long now, long idleMs) {
    return participants.isEmpty()
        && pending.isEmpty()
        && remoteRows.isEmpty()
        && !catchUp.busy()
        && commits.idle()
        && snapshotsWriting == 0
        && now - lastUsedMillis >= idleMs;
  }

  // ---------------------------------------------------------------- writes (on context)

  /** The result of a batch: what the ack / REST response says. */
  public record BatchResult(
      String batchId, String version, ArrayNode results, boolean duplicate, ObjectNode view) {
    BatchResult(String batchId, String version, ArrayNode results, boolean duplicate) {
      this(batchId, version, results, duplicate, null);
    }

    /** The ack body; {@code view} ({@code stateHash}, {@code doc}) for snapshot clients. */
    public ObjectNode toJson() {
      ObjectNode o = Values.NODES.objectNode();
      o.put("batchId", batchId);
      o.put("version", version);
      o.set("results", results);
      o.put("duplicate", duplicate);
      if (view != null) {
        o.setAll(view);
      }
      return o;
    }
  }

  /**
   * Checks, applies and queues a batch; the future completes (on this context) once the batch is
   * durable, or fails with a {@link ChorusException}. {@code origin} (null for REST) gets no {@code
   * change} frame for its own batch.
   */
  public Future<BatchResult> submit(Frames.Batch b, Principal principal, Participant origin) {
    long start = System.nanoTime();
    try {
      return doSubmit(b, principal, origin, start);
    } catch (ChorusException e) {
      registry.metrics().error(e.code().wireName());
      return Future.failedFuture(withBatch(e, b.batchId()));
    } catch (DocException e) {
      ChorusException ce = mapDocException(e);
      registry.metrics().error(ce.code().wireName());
      return Future.failedFuture(withBatch(ce, b.batchId()));
    }
  }

  private Future<BatchResult> doSubmit(
      Frames.Batch b, Principal principal, Participant origin, long start) {
    if (broken) {
      throw new ChorusException(ErrorCode.INTERNAL, "session is reloading; retry the batch");
    }
    if (!principal.role().canWrite()) {
      throw new ChorusException(
          ErrorCode.FORBIDDEN, "role " + principal.role().wireName() + " cannot write");
    }
    Idempotency.Outcome seen = idempotency.get(b.batchId());
    if (seen != null) {
      if (!seen.contentHash().equals(b.contentHash())) {
        throw new ChorusException(
            ErrorCode.BATCH_ID_REUSED,
            "batch id " + b.batchId() + " was already used for a batch with other content");
      }
      registry.metrics().duplicate();
      return seen.result()
          .map(r -> new BatchResult(r.batchId(), r.version(), r.results(), true, r.view()));
    }
    if (pending.size() >= registry.config().sessionQueueLimit()) {
      ObjectNode d = Values.NODES.objectNode().put("retryAfterMs", RateLimiter.jittered(200));
      throw new ChorusException(ErrorCode.OVERLOADED, "session write queue is full", d);
    }
    long wait = registry.rateLimiter().acquire(principal.actorId(), b.ops().size());
    if (wait > 0) {
      ObjectNode d = Values.NODES.objectNode().put("retryAfterMs", wait);
      throw new ChorusException(
          ErrorCode.RATE_LIMITED,
          "actor " + principal.actorId() + " is over its ops per second",
          d);
    }
    long sessionWait = registry.sessionRateLimiter().acquire(id, b.ops().size());
    if (sessionWait > 0) {
      registry.rateLimiter().refund(principal.actorId(), b.ops().size());
      ObjectNode d = Values.NODES.objectNode().put("retryAfterMs", sessionWait);
      throw new ChorusException(
          ErrorCode.RATE_LIMITED, "session " + id + " is over its ops per second", d);
    }
    VersionVector basedOn;
    if (b.basedOn() == null) {
      basedOn = doc.version();
    } else {
      try {
        basedOn = VersionVector.parse(b.basedOn());
      } catch (IllegalArgumentException e) {
        throw new ChorusException(ErrorCode.BAD_FRAME, "basedOn: " + e.getMessage());
      }
      if (!doc.version().dominates(basedOn)) {
        throw new ChorusException(
            ErrorCode.STALE_BASE,
            "basedOn " + basedOn + " includes changes this server has not seen; re-read");
      }
    }
    if (b.conflictId() != null
        && doc.conflicts().stream().noneMatch(c -> c.id().equals(b.conflictId()))) {
      throw new ChorusException(
          ErrorCode.CONFLICT_NOT_FOUND, "conflict " + b.conflictId() + " is not open");
    }

    List<Resolved> ops = resolvePaths(b.ops());
    checkShape(ops);
    if (b.strict()) {
      checkPrecondition(basedOn, ops);
    }
    long opBytes = 0;
    for (ClientOp op : b.ops()) {
      if (op instanceof ClientOp.Set s) {
        opBytes += Values.toJson(s.value()).toString().length();
      } else if (op instanceof ClientOp.Insert i) {
        opBytes += Values.toJson(i.value()).toString().length();
      } else if (op instanceof ClientOp.Splice s) {
        opBytes += s.insert().length();
      }
    }
    long max = registry.config().maxDocBytes();
    if (approxDocBytes == UNMEASURED || approxDocBytes + opBytes > max) {
      approxDocBytes = measureDoc();
      if (approxDocBytes + opBytes > max) {
        throw new ChorusException(
            ErrorCode.TOO_LARGE, "the document would exceed " + max + " bytes");
      }
    }

    String[] ids = new String[ops.size()];
    ArrayNode results = Values.NODES.arrayNode();
    currentEvents.clear();
    long now = System.currentTimeMillis();
    Author author = principal.author();
    Change change = doc.edit(author, basedOn, now, e -> translate(e, ops, ids, author, now));
    List<ConflictEvent> events = List.copyOf(currentEvents);
    currentEvents.clear();
    approxDocBytes += opBytes;
    for (String elementId : ids) {
      if (elementId == null) {
        results.addNull();
      } else {
        results.addObject().put("id", elementId);
      }
    }
    String version = doc.version().toString();
    if (change == null) {
      // the batch made no op (e.g. a release of an unclaimed task): nothing to store or send
      BatchResult r = new BatchResult(b.batchId(), version, results, false);
      Promise<BatchResult> done = Promise.promise();
      done.complete(r);
      idempotency.remember(b.batchId(), b.contentHash(), done, r);
      return done.future();
    }
    JsonNode changeNode = changeNode(change);
    ObjectNode frame = Values.NODES.objectNode();
    frame.put("type", "change");
    frame.set("author", WireJson.actor(author));
    frame.put("batchId", b.batchId());
    frame.set("ops", appliedOps(ops, ids));
    frame.putArray("changes").add(changeNode);
    frame.put("version", version);
    ObjectNode view = null;
    if ((origin != null && origin.wantsSnapshots())
        || participants.values().stream().anyMatch(Participant::wantsSnapshots)) {
      view = Values.NODES.objectNode();
      view.put("stateHash", doc.stateHash());
      view.set("doc", docJson());
      frame.setAll(view);
    }
    Promise<BatchResult> promise = Promise.promise();
    Idempotency.Outcome outcome =
        idempotency.remember(
            b.batchId(),
            b.contentHash(),
            promise,
            new BatchResult(
                b.batchId(),
                version,
                results,
                false,
                origin != null && origin.wantsSnapshots() ? view : null));
    long mySeq = nextSeq();
    batchOfChange.put(changeKey(change.replica(), change.startCounter()), b.batchId());
    trimChangeIndex();
    pending.add(
        new Pending(
            b,
            author,
            change,
            changeNode.toString(),
            frame,
            events,
            outcome,
            origin,
            mySeq,
            start));
    scheduleFlush();
    return promise.future();
  }

  private void trimChangeIndex() {
    int max = registry.config().idempotencyWindow();
    Iterator<String> it = batchOfChange.keySet().iterator();
    while (batchOfChange.size() > max && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  private long measureDoc() {
    try {
      return Values.MAPPER.writeValueAsBytes(doc.toPlain()).length;
    } catch (Exception e) {
      return 0;
    }
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

  // ---------------------------------------------------------------- op translation

  /** An op with its paths parsed; {@code $N} segments kept as refs to earlier inserts. */
  private record Resolved(ClientOp op, List<String> path, List<String> to, String after) {}

  private List<Resolved> resolvePaths(List<ClientOp> ops) {
    List<Resolved> out = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      ClientOp op = ops.get(i);
      String where = "ops[" + i + "] (" + op.name() + "): ";
      List<String> path = parsePath(op.path(), i, ops, where);
      List<String> to = null;
      String after = null;
      if (op instanceof ClientOp.Move m) {
        to = parsePath(m.to(), i, ops, where);
        after = checkRef(m.after(), i, ops, where);
      } else if (op instanceof ClientOp.Insert in) {
        after = checkRef(in.after(), i, ops, where);
      }
      if ((op instanceof ClientOp.Claim || op instanceof ClientOp.Release)
          && !(path.size() == 2 && path.get(0).equals("tasks"))) {
        throw new ChorusException(
            ErrorCode.INVALID_OP, where + "claim/release take a task path tasks/<id>");
      }
      if (path.isEmpty() && !(op instanceof ClientOp.Insert)) {
        throw new ChorusException(
            ErrorCode.INVALID_OP, where + "the root cannot be " + op.name() + "d");
      }
      out.add(new Resolved(op, path, to, after));
    }
    return out;
  }

  private static List<String> parsePath(String s, int i, List<ClientOp> ops, String where) {
    List<String> segs;
    try {
      segs = Path.parse(s).segments();
    } catch (IllegalArgumentException e) {
      throw new ChorusException(ErrorCode.BAD_FRAME, where + e.getMessage());
    }
    for (String seg : segs) {
      checkRef(seg, i, ops, where);
    }
    return segs;
  }

  /** Validates a {@code $N} reference: N must be an earlier insert of the batch. */
  private static String checkRef(String seg, int i, List<ClientOp> ops, String where) {
    if (seg != null) {
      var m = REF.matcher(seg);
      if (m.matches()) {
        int n = Integer.parseInt(m.group(1));
        if (n >= i || !(ops.get(n) instanceof ClientOp.Insert)) {
          throw new ChorusException(
              ErrorCode.INVALID_OP,
              where + "$" + n + " must name an earlier insert op of the same batch");
        }
      }
    }
    return seg;
  }

  private static String deref(String seg, String[] ids) {
    if (seg != null) {
      var m = REF.matcher(seg);
      if (m.matches()) {
        return ids[Integer.parseInt(m.group(1))];
      }
    }
    return seg;
  }

  private static Path path(List<String> segs, String[] ids) {
    List<String> out = new ArrayList<>(segs.size());
    for (String s : segs) {
      out.add(deref(s, ids));
    }
    return new Path(out);
  }

  private void checkShape(List<Resolved> ops) {
    for (Resolved r : ops) {
      ClientOp op = r.op();
      if (op instanceof ClientOp.Set s) {
        shape.checkPlace(r.path(), s.value(), false);
      } else if (op instanceof ClientOp.Insert in) {
        shape.checkPlace(r.path(), in.value(), true);
      } else if (op instanceof ClientOp.Delete) {
        shape.checkDelete(r.path());
      } else if (op instanceof ClientOp.Move) {
        if (!hasRef(r.path())) {
          Object v;
          try {
            v = doc.get(new Path(r.path()));
          } catch (DocException e) {
            // the element moved since the writer's base: the edit resolves it at basedOn
            continue;
          }
          shape.checkPlace(r.to(), v, true);
        }
      } else if (op instanceof ClientOp.Claim) {
        shape.checkPlace(append(r.path(), "claim"), claimValue(SERVER, 0), false);
      }
    }
  }

  private static boolean hasRef(List<String> segs) {
    return segs.stream().anyMatch(s -> REF.matcher(s).matches());
  }

  private static List<String> append(List<String> l, String s) {
    List<String> c = new ArrayList<>(l);
    c.add(s);
    return c;
  }

  private static Map<String, Object> claimValue(Author a, long until) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("actor", a.actorId());
    m.put("kind", a.kind().wireName());
    m.put("until", until);
    return m;
  }

  private void checkPrecondition(VersionVector basedOn, List<Resolved> ops) {
    Collection<Path> paths = new LinkedHashSet<>();
    for (Resolved r : ops) {
      List<String> p = r.path();
      if (hasRef(p)) {
        continue; // an element this batch creates has no history
      }
      if (r.op() instanceof ClientOp.Claim || r.op() instanceof ClientOp.Release) {
        paths.add(new Path(append(p, "claim")));
      } else {
        paths.add(new Path(p));
      }
      if (r.to() != null && !hasRef(r.to())) {
        paths.add(new Path(r.to()));
      }
    }
    var unseen = doc.unseenChanges(basedOn, paths);
    if (unseen.isEmpty()) {
      return;
    }
    ObjectNode d = Values.NODES.objectNode();
    ArrayNode a = d.putArray("unseen");
    for (var u : unseen) {
      ObjectNode n = a.addObject();
      n.put("path", u.path().toString());
      n.set("value", Values.toJson(u.value()));
      n.set("author", WireJson.actor(u.author()));
      n.put("action", u.action());
      n.put("op", u.op().toString());
      n.put("version", u.version());
    }
    d.put("version", doc.version().toString());
    throw new ChorusException(
        ErrorCode.PRECONDITION_FAILED,
        unseen.size()
            + (unseen.size() == 1 ? " change" : " changes")
            + " not seen by the batch touch its paths; nothing was applied",
        d);
  }

  private void translate(Edit e, List<Resolved> ops, String[] ids, Author author, long now) {
    for (int i = 0; i < ops.size(); i++) {
      Resolved r = ops.get(i);
      Path p = path(r.path(), ids);
      ClientOp op = r.op();
      if (op instanceof ClientOp.Set s) {
        write(e, p, s.value());
      } else if (op instanceof ClientOp.Delete) {
        e.delete(p);
      } else if (op instanceof ClientOp.Insert in) {
        ids[i] = insert(e, p, deref(r.after(), ids), in.value());
      } else if (op instanceof ClientOp.Move) {
        e.move(p, path(r.to(), ids), deref(r.after(), ids));
      } else if (op instanceof ClientOp.Increment inc) {
        e.increment(p, inc.by());
      } else if (op instanceof ClientOp.Splice sp) {
        e.spliceText(p, sp.index(), sp.delete(), sp.insert());
      } else if (op instanceof ClientOp.Keep) {
        e.keep(p);
      } else if (op instanceof ClientOp.Claim c) {
        e.set(p.child("claim"), claimValue(author, now + c.leaseMs()));
      } else if (op instanceof ClientOp.Release) {
        e.set(p.child("claim"), null);
      }
    }
  }

  /** Writes a value; markers ({@code $text}, {@code $counter}) are created then filled. */
  private static void write(Edit e, Path p, Object v) {
    if (!Values.hasMarkers(v)) {
      e.set(p, v);
      return;
    }
    e.set(p, containerOf(v));
    fill(e, p, v);
  }

  private static String insert(Edit e, Path list, String after, Object v) {
    if (!Values.hasMarkers(v)) {
      return e.insert(list, after, v);
    }
    String id = e.insert(list, after, containerOf(v));
    fill(e, list.child(id), v);
    return id;
  }

  private static Container containerOf(Object v) {
    if (v instanceof Values.TextInit) {
      return Container.TEXT;
    }
    if (v instanceof Values.CounterInit) {
      return Container.COUNTER;
    }
    if (v instanceof Map) {
      return Container.MAP;
    }
    return Container.LIST;
  }

  private static void fill(Edit e, Path p, Object v) {
    if (v instanceof Values.TextInit t) {
      if (!t.text().isEmpty()) {
        e.spliceText(p, 0, 0, t.text());
      }
    } else if (v instanceof Values.CounterInit c) {
      if (c.value() != 0) {
        e.increment(p, c.value());
      }
    } else if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> en : m.entrySet()) {
        write(e, p.child((String) en.getKey()), en.getValue());
      }
    } else if (v instanceof List<?> l) {
      String prev = null;
      for (Object item : l) {
        prev = insert(e, p, prev, item);
      }
    }
  }

  private static ArrayNode appliedOps(List<Resolved> ops, String[] ids) {
    ArrayNode a = Values.NODES.arrayNode();
    for (int i = 0; i < ops.size(); i++) {
      Resolved r = ops.get(i);
      ClientOp op = r.op();
      ObjectNode o = a.addObject();
      o.put("op", op.name());
      o.put("path", path(r.path(), ids).toString());
      if (op instanceof ClientOp.Set s) {
        o.set("value", Values.toJson(s.value()));
      } else if (op instanceof ClientOp.Insert in) {
        o.put("after", deref(r.after(), ids));
        o.set("value", Values.toJson(in.value()));
        o.put("id", ids[i]);
      } else if (op instanceof ClientOp.Move) {
        o.put("to", path(r.to(), ids).toString());
        o.put("after", deref(r.after(), ids));
      } else if (op instanceof ClientOp.Increment inc) {
        o.put("by", inc.by());
      } else if (op instanceof ClientOp.Splice sp) {
        o.put("index", sp.index());
        o.put("delete", sp.delete());
        o.put("insert", sp.insert());
      } else if (op instanceof ClientOp.Claim c) {
        o.put("leaseMs", c.leaseMs());
      }
    }
    return a;
  }

  // ---------------------------------------------------------------- replication (on context)

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

  /** Longest a resuming client's welcome waits for a catch-up round. */
  static final long CATCH_UP_WAIT_MS = 15_000;

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

  /**
   * Applies changes other replicas made (from a topic message, the op-log map or the store), in any
   * order and with duplicates, and tells this node's participants: {@code change} frames (with the
   * version right after each change), then conflict events. {@code persist}: also write them to the
   * store with the next commit (they may exist only in the op-log map). Returns how many changes
   * were applied (not counting duplicates and changes still waiting for dependencies).
   */
  int applyRemote(List<OpLogEntry> entries, boolean persist) {
    if (broken || entries.isEmpty()) {
      return 0;
    }
    VersionVector v = doc.version();
    List<Change> applied = new ArrayList<>();
    List<ConflictEvent> events = new ArrayList<>();
    loading = true; // the events are taken from the apply results, not the doc listener
    try {
      for (OpLogEntry e : entries) {
        seq = Math.max(seq, e.seq());
        Change c;
        try {
          c = ChangeCodec.fromJson(e.changeJson());
        } catch (RuntimeException ex) {
          LOG.warn(
              "session {}: unreadable change from {} dropped: {}", id, e.replica(), ex.toString());
          continue;
        }
        rememberBatch(e);
        if (doc.isApplied(c)) {
          continue;
        }
        ApplyResult r;
        try {
          r = doc.apply(c);
        } catch (DocException ex) {
          LOG.error("session {}: change {} refused: {}", id, c.id(), ex.getMessage());
          continue;
        }
        // kept until the change is applied (now, or once its dependencies arrive)
        waitingEntries.put(changeKey(c.replica(), c.startCounter()), e);
        if (persist) {
          remoteRows.add(storedRow(e));
        }
        applied.addAll(r.applied());
        events.addAll(r.events());
        if (approxDocBytes != UNMEASURED) {
          approxDocBytes += e.changeJson().length();
        }
      }
    } finally {
      loading = false;
    }
    if (!applied.isEmpty()) {
      broadcastRemote(v, applied, events);
    }
    if (waitingEntries.size() > doc.pending().size()) {
      // entries of changes that turned out invalid or duplicate
      java.util.Set<String> keep = new java.util.HashSet<>();
      for (Change c : doc.pending()) {
        keep.add(changeKey(c.replica(), c.startCounter()));
      }
      waitingEntries.keySet().retainAll(keep);
    }
    if (!remoteRows.isEmpty()) {
      scheduleFlush();
    }
    if (!doc.pending().isEmpty()) {
      catchUp.gapSeen();
    }
    return applied.size();
  }

  private void rememberBatch(OpLogEntry e) {
    if (e.batchId() == null) {
      return;
    }
    String key = changeKey(e.replica(), e.startCounter());
    if (batchOfChange.get(key) == null) {
      batchOfChange.put(key, e.batchId());
      trimChangeIndex();
    }
    if (idempotency.get(e.batchId()) == null) {
      idempotency.remember(e.batchId(), e.contentHash(), e.version(), e.resultsJson());
    }
  }

  private static OpLogStore.StoredBatch storedRow(OpLogEntry e) {
    OpLogStore.BatchRecord r =
        e.batchId() == null
            ? null
            : new OpLogStore.BatchRecord(
                e.batchId(), e.contentHash(), e.version(), e.resultsJson(), e.seq());
    return new OpLogStore.StoredBatch(
        r,
        List.of(
            new OpLogStore.StoredChange(
                e.replica(), e.startCounter(), e.endCounter(), e.seq(), e.changeJson())));
  }

  private void broadcastRemote(
      VersionVector before, List<Change> applied, List<ConflictEvent> events) {
    boolean anySnapshots = participants.values().stream().anyMatch(Participant::wantsSnapshots);
    JsonNode docNow = anySnapshots ? docJson() : null;
    String hashNow = anySnapshots ? doc.stateHash() : null;
    VersionVector v = before;
    for (Change c : applied) {
      v = v.with(c.replica(), c.endCounter());
      String key = changeKey(c.replica(), c.startCounter());
      OpLogEntry e = waitingEntries.remove(key);
      String batchId = batchOfChange.get(key);
      ObjectNode f = Values.NODES.objectNode();
      f.put("type", "change");
      f.set("author", WireJson.actor(c.author()));
      if (batchId != null) {
        f.put("batchId", batchId);
      }
      JsonNode ops = null;
      if (e != null && e.opsJson() != null) {
        try {
          ops = Values.MAPPER.readTree(e.opsJson());
        } catch (Exception ex) {
          ops = null;
        }
      }
      f.set("ops", ops != null ? ops : Values.NODES.arrayNode());
      f.putArray("changes").add(changeNode(c));
      f.put("version", v.toString());
      ObjectNode full = f;
      if (anySnapshots) {
        full = f.deepCopy();
        full.put("stateHash", hashNow);
        full.set("doc", docNow);
      }
      for (Participant q : participants.values()) {
        q.send(q.wantsSnapshots() ? full : f);
      }
    }
    String version = doc.version().toString();
    for (ConflictEvent ev : events) {
      ObjectNode f = conflictFrame(ev);
      f.put("version", version);
      for (Participant q : participants.values()) {
        q.send(f);
      }
    }
  }

  private ObjectNode conflictFrame(ConflictEvent ev) {
    ObjectNode f = Values.NODES.objectNode();
    if (ev instanceof ConflictEvent.Opened o) {
      registry.metrics().conflictOpened();
      f.put("type", "conflict.opened");
      f.set("conflict", WireJson.conflict(o.conflict()));
    } else if (ev instanceof ConflictEvent.Resolved res) {
      registry.metrics().conflictResolved();
      f.put("type", "conflict.resolved");
      f.set("conflict", WireJson.conflict(res.conflict()));
      f.set("by", WireJson.actor(res.by()));
      f.put("op", res.op().toString());
    }
    return f;
  }

  /** Presence of a participant of another replica: remember it (with its TTL) and pass it on. */
  void remotePresence(String origin, ObjectNode participant, boolean left) {
    String pid = participant.path("participantId").asText();
    if (pid.isEmpty() || broken) {
      return;
    }
    if (left) {
      RemotePresence rp = remotePresence.remove(pid);
      if (rp != null) {
        remotePresenceLeft(rp);
      }
      return;
    }
    remotePresence.put(
        pid, new RemotePresence(origin, participant, participant.path("expiresAt").asLong()));
    ObjectNode f = Values.NODES.objectNode();
    f.put("type", "presence");
    f.set("participant", participant);
    for (Participant q : participants.values()) {
      q.send(f);
    }
  }

  /** Tells this node's participants a remote participant left; true (for removeIf). */
  private boolean remotePresenceLeft(RemotePresence rp) {
    ObjectNode f = Values.NODES.objectNode();
    f.put("type", "presence");
    f.set("participant", rp.participant());
    f.put("left", true);
    for (Participant q : participants.values()) {
      q.send(f);
    }
    return true;
  }

  /** A replica left the cluster: its participants are gone (their presence with them). */
  void replicaLeft(String replica) {
    remotePresence.values().removeIf(rp -> rp.origin().equals(replica) && remotePresenceLeft(rp));
  }

  /**
   * This replica cannot catch up by changes any more (what it lacks was compacted into a snapshot):
   * drop it; participants reconnect (with {@code since}) to a fresh load.
   */
  void reload() {
    if (broken || !commits.idle() || snapshotsWriting > 0 || !pending.isEmpty()) {
      return; // retried by the next catch-up round
    }
    broken = true;
    for (Participant q : List.copyOf(participants.values())) {
      q.close(1012, "session reloading; reconnect with since");
    }
    participants.clear();
    registry.evict(this);
  }

  // ---------------------------------------------------------------- group commit

  private void scheduleFlush() {
    if (flushScheduled
        || !commits.accepting()
        || (pending.isEmpty() && remoteRows.isEmpty())
        || broken) {
      return;
    }
    flushScheduled = true;
    // Let every batch that arrives in this loop turn join the commit.
    context.runOnContext(v -> flush());
  }

  /** A group of batches (and remote changes) on its way to the store and the op log. */
  private record Commit(
      List<Pending> group,
      List<OpLogStore.StoredBatch> rows,
      List<OpLogEntry> entries,
      Snapshot snapshot) {}

  /**
   * A snapshot taken on this context: the captured state (encoding the history and compressing it
   * are left to the store thread), and what it took off the snapshot counters, given back if it
   * cannot be written.
   */
  private record Snapshot(
      SnapshotCodec.Capture state,
      String compactionMarks,
      String version,
      long seq,
      long keepBatchesFrom,
      int changes,
      long ops) {}

  private Snapshot takeSnapshot() {
    boolean compacts = registry.compacts();
    if (compacts) {
      compactIfDue();
    }
    Snapshot s =
        new Snapshot(
            SnapshotCodec.capture(doc, historyChunks),
            compacts ? compactionFloor.encode() : null,
            doc.version().toString(),
            seq,
            Math.max(0, seq - registry.config().idempotencyWindow()),
            changesSinceSnapshot,
            opsSinceSnapshot);
    changesSinceSnapshot = 0;
    opsSinceSnapshot = 0;
    return s;
  }

  /**
   * At a snapshot: forgets the history and the deleted values older than the compaction floor, so a
   * long-lived busy session stops growing with its past (and its snapshots with it). Called only
   * where this node is the only replica ({@link SessionRegistry#compacts}).
   */
  private void compactIfDue() {
    if (!doc.pending().isEmpty()) {
      return;
    }
    VersionVector floor = compactionFloor.next(doc.version(), System.currentTimeMillis());
    if (floor != null && !doc.horizon().dominates(floor)) {
      long start = System.nanoTime();
      doc.compact(floor);
      registry.metrics().compacted(System.nanoTime() - start);
    }
  }

  private void flush() {
    flushScheduled = false;
    if (broken || !commits.accepting() || (pending.isEmpty() && remoteRows.isEmpty())) {
      return;
    }
    List<Pending> group = new ArrayList<>(pending);
    pending.clear();
    // Remote changes first: changes of this group may depend on them.
    List<OpLogStore.StoredBatch> rows = new ArrayList<>(remoteRows.size() + group.size());
    rows.addAll(remoteRows);
    remoteRows.clear();
    List<OpLogEntry> entries = new ArrayList<>(group.size());
    for (Pending p : group) {
      Change c = p.change();
      BatchResult r = p.outcome().resultIfDone();
      boolean record = !p.author().equals(SERVER);
      entries.add(
          new OpLogEntry(
              c.replica(),
              c.startCounter(),
              c.endCounter(),
              p.changeJson(),
              record ? p.batch().batchId() : null,
              record ? p.batch().contentHash() : null,
              record ? r.version() : null,
              record ? r.results().toString() : null,
              p.changeFrame().path("ops").toString(),
              p.seq()));
      rows.add(
          new OpLogStore.StoredBatch(
              !record
                  ? null
                  : new OpLogStore.BatchRecord(
                      p.batch().batchId(),
                      p.batch().contentHash(),
                      r.version(),
                      r.results().toString(),
                      p.seq()),
              List.of(
                  new OpLogStore.StoredChange(
                      c.replica(), c.startCounter(), c.endCounter(), p.seq(), p.changeJson()))));
    }
    changesSinceSnapshot += group.size();
    for (Pending p : group) {
      opsSinceSnapshot += p.change().ops().size();
    }
    Snapshot snapshot = snapshotDue() ? takeSnapshot() : null;
    Commit commit = new Commit(group, rows, entries, snapshot);
    // The ack condition in a cluster: in the store AND in the op-log map with its synchronous
    // backups (both in parallel; the pipeline waits for both, so a failure never races a late
    // success).
    commits.submit(
        commit,
        () -> {
          long start = System.nanoTime();
          return registry
              .replicator()
              .persist(id, entries)
              .onSuccess(v -> registry.metrics().oplogWrite(System.nanoTime() - start));
        });
  }

  /** On a store thread: every queued group in one append. */
  private void write(List<Commit> queued) throws Exception {
    List<OpLogStore.StoredBatch> rows = new ArrayList<>();
    queued.forEach(c -> rows.addAll(c.rows()));
    long start = System.nanoTime();
    store.append(id, rows);
    registry.metrics().storeWrite(System.nanoTime() - start);
  }

  private void committed(Commit c, long submittedNanos) {
    registry.metrics().storeLatency(System.nanoTime() - submittedNanos);
    committed(c.group(), c.entries());
    if (c.snapshot() != null) {
      writeSnapshot(c.snapshot());
    }
    scheduleFlush();
  }

  /**
   * Writes a snapshot beside the commit path (a group's, once the changes it covers are committed):
   * a snapshot grows with the session (tens to hundreds of ms), and acks must not queue behind it.
   * Ordered, so snapshots of this context are written in the order they were taken. A failure only
   * means the next load replays more; it gives the counters back so the next one comes sooner.
   * Completes on this context.
   */
  private Future<Void> writeSnapshot(Snapshot snap) {
    snapshotsWriting++;
    Promise<Void> done = Promise.promise();
    registry
        .storeExecutor()
        .executeBlocking(
            () -> {
              store.snapshot(
                  id,
                  SnapshotCodec.encode(snap.state()),
                  snap.compactionMarks(),
                  snap.version(),
                  snap.seq(),
                  snap.keepBatchesFrom());
              registry.metrics().snapshotWritten();
              return null;
            },
            true)
        .onComplete(
            ar ->
                context.runOnContext(
                    v -> {
                      snapshotsWriting--;
                      if (ar.failed()) {
                        LOG.warn("session {}: snapshot not written: {}", id, ar.cause().toString());
                        changesSinceSnapshot += snap.changes();
                        opsSinceSnapshot += snap.ops();
                      }
                      done.complete();
                    }));
    return done.future();
  }

  private void failed(List<Commit> lost, Throwable cause) {
    List<Pending> all = new ArrayList<>();
    lost.forEach(c -> all.addAll(c.group()));
    fail(all, cause);
  }

  private boolean snapshotDue() {
    int everyOps = registry.config().snapshotEveryOps();
    return changesSinceSnapshot >= registry.config().snapshotEvery()
        || (everyOps > 0 && opsSinceSnapshot >= everyOps);
  }

  /** Whether changes were made since the stored snapshot (on context). */
  boolean snapshotBehind() {
    return changesSinceSnapshot > 0;
  }

  /**
   * Writes a snapshot if changes were made since the stored one (before an idle unload and at
   * shutdown), so that the next load decodes it instead of replaying those changes. Completes on
   * this context once it is written; at once if there is nothing to write, a commit is in flight or
   * a snapshot is being written. A failure is logged and changes nothing else: the changes are in
   * the store. Call on context.
   */
  Future<Void> snapshotIfBehind() {
    if (broken
        || !commits.idle()
        || snapshotsWriting > 0
        || !pending.isEmpty()
        || !remoteRows.isEmpty()
        || !snapshotBehind()) {
      return Future.succeededFuture();
    }
    return writeSnapshot(takeSnapshot());
  }

  private void committed(List<Pending> group, List<OpLogEntry> entries) {
    for (Pending p : group) {
      BatchResult r = p.outcome().resultIfDone();
      registry.metrics().applied(p.batch().ops().size());
      registry.metrics().batchLatency(System.nanoTime() - p.startNanos());
      p.outcome().complete(r);
      ObjectNode full = p.changeFrame();
      ObjectNode lean = full;
      if (full.has("doc")) {
        lean = full.deepCopy();
        lean.remove("doc");
        lean.remove("stateHash");
      }
      for (Participant q : participants.values()) {
        if (q != p.origin()) {
          q.send(q.wantsSnapshots() ? full : lean);
        }
      }
      for (ConflictEvent ev : p.events()) {
        ObjectNode f = conflictFrame(ev);
        f.put("version", r.version());
        for (Participant q : participants.values()) {
          q.send(f);
        }
      }
    }
    registry.replicator().publish(id, entries);
  }

  private void fail(List<Pending> group, Throwable cause) {
    LOG.error("session {}: store commit failed, reloading the session", id, cause);
    broken = true;
    List<Pending> all = new ArrayList<>(group);
    all.addAll(pending);
    pending.clear();
    for (Pending p : all) {
      idempotency.forget(p.batch().batchId());
      ObjectNode d = Values.NODES.objectNode().put("batchId", p.batch().batchId());
      p.outcome()
          .fail(
              new ChorusException(
                  ErrorCode.INTERNAL, "store commit failed; retry with the same batchId", d));
    }
    for (Participant q : List.copyOf(participants.values())) {
      q.close(1011, "session store failure; reconnect with since");
    }
    participants.clear();
    registry.evict(this);
  }

  /** Closes every connection (shutdown): a last error frame, then status 1001. */
  void shutdown(long retryAfterMs) {
    for (Participant q : List.copyOf(participants.values())) {
      ObjectNode f = Values.NODES.objectNode();
      f.put("type", "error");
      f.put("code", "shutting_down");
      f.put("message", "server is stopping; reconnect with since");
      f.put(
          "retryAfterMs",
          retryAfterMs
              + java.util.concurrent.ThreadLocalRandom.current().nextLong(retryAfterMs + 1));
      f.put("fatal", true);
      q.send(f);
      q.close(1001, "server shutting down");
    }
    participants.clear();
  }

  /** Future completing when nothing is waiting for the store (shutdown). */
  Future<Void> drained() {
    return exec(() -> pending.isEmpty() && commits.idle() && snapshotsWriting == 0)
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
