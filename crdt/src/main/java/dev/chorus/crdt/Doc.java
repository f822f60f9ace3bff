package dev.chorus.crdt;

import dev.chorus.crdt.DocException.Code;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.Op;
import dev.chorus.crdt.type.Compactor;
import dev.chorus.crdt.type.DocState;
import dev.chorus.crdt.type.Editor;
import dev.chorus.crdt.type.Materializer;
import dev.chorus.crdt.type.Sites;
import dev.chorus.crdt.type.UndoLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * One replica of one document: the facade over the CRDT. See the package documentation for the
 * model.
 *
 * <p>Contract:
 *
 * <ol>
 *   <li>{@link #edit} and {@link #apply} are atomic: on any error nothing of the change is applied.
 *   <li>{@link #apply} is idempotent and order-tolerant: a duplicate is a no-op, a change whose
 *       dependencies are missing waits in a buffer and is applied as soon as they arrive.
 *   <li>Replicas that applied the same changes, in any causal order, read the same value, report
 *       the same conflicts and compute the same {@link #stateHash()}.
 *   <li>Not thread-safe: use a doc from one thread (in the server, the session's context).
 * </ol>
 */
public final class Doc {
  private final String replicaId;
  private final DocState state = new DocState();
  private final DocHistory history = new DocHistory();
  private final PendingChanges pending = new PendingChanges();
  private final DocListeners listeners = new DocListeners();
  private VersionVector version = VersionVector.EMPTY;
  private VersionVector horizon = VersionVector.EMPTY;
  private long maxCounter;

  private final StateReads reads = new StateReads(state);

  // The undo log, conflict sites and editor of one change at a time, cleared and used again: every
  // keystroke is a change, and making them anew was a fifth of what it allocated. An edit made
  // while another is under way (from its body) gets its own.
  private final UndoLog undoScratch = new UndoLog();
  private final Sites sitesScratch = new Sites(state);
  private final Sites untrackedScratch = Sites.untracked(state);
  private final Editor editorScratch;

  /**
   * An empty document replica.
   *
   * @param replicaId this replica's id (a server node id), unique among the replicas of the doc
   */
  public Doc(String replicaId) {
    if (replicaId == null || replicaId.isEmpty() || replicaId.contains("@")) {
      throw new IllegalArgumentException("replica id must be non-empty without '@': " + replicaId);
    }
    this.replicaId = replicaId;
    this.editorScratch = new Editor(state, replicaId);
  }

  public String replicaId() {
    return replicaId;
  }

  /** Everything this replica has applied. */
  public VersionVector version() {
    return version;
  }

  /** Changes at or below this version have been compacted away (history dropped). */
  public VersionVector horizon() {
    return horizon;
  }

  public void addListener(DocListener l) {
    listeners.add(l);
  }

  public void removeListener(DocListener l) {
    listeners.remove(l);
  }

  // ---- writing -----------------------------------------------------------------------------

  /**
   * Applies one writer's intents as one change and returns it, to be replicated; null if the body
   * made no op.
   *
   * @param author who writes
   * @param basedOn the version the writer had seen; null means "everything this replica has"
   * @param timestampMillis wall-clock time, for display
   * @param body the intents
   * @throws DocException {@code unknown_base} if this replica lacks part of {@code basedOn}, {@code
   *     stale_base} if {@code basedOn} is older than the compaction horizon, or whatever an intent
   *     throws; nothing is applied then
   */
  public Change edit(
      Author author, VersionVector basedOn, long timestampMillis, Consumer<Edit> body) {
    VersionVector base = basedOn == null ? version : basedOn;
    if (basedOn != null) {
      VersionChecks.editBase(base, version, horizon);
    }
    long start = maxCounter + 1;
    UndoLog undo = reads.mutating ? new UndoLog() : undoScratch.cleared();
    Sites sites = reads.mutating ? new Sites(state) : sitesScratch.cleared();
    boolean sawAll = base == version || base.dominates(version);
    Editor editor =
        (reads.mutating ? new Editor(state, replicaId) : editorScratch)
            .begin(base, sawAll, author, timestampMillis, start, undo, sites);
    reads.mutating = true;
    stateChanged();
    try {
      body.accept(editor);
    } catch (RuntimeException e) {
      undo.rollback();
      state.rolledBack();
      throw e;
    } finally {
      reads.mutating = false;
    }
    if (editor.isEmpty()) {
      return null;
    }
    Change c =
        new Change(
            replicaId,
            version.get(replicaId),
            start,
            base,
            version,
            author,
            timestampMillis,
            editor.ops());
    List<ConflictEvent> events = sites.events(author, c.id());
    commit(c);
    listeners.applied(c, events);
    return c;
  }

  /**
   * Applies a change made on another replica (or re-delivered from this one).
   *
   * @throws DocException {@code invalid_change} if the change contradicts this replica's state
   *     (refers to things that do not exist once its dependencies are in): nothing is applied
   */
  public ApplyResult apply(Change change) {
    return apply(change, true);
  }

  /**
   * Like {@link #apply}, without working out the conflict events (listeners are told about each
   * applied change with no events): for rebuilding a replica from its own durable log, where the
   * events were reported when the changes were first made and nobody is listening now. The state,
   * conflicts and hash are exactly those {@link #apply} gives; events cost a look at every conflict
   * site before and after each op, most of the time of a replay.
   */
  public ApplyResult replay(Change change) {
    return apply(change, false);
  }

  private ApplyResult apply(Change change, boolean withEvents) {
    if (isApplied(change)) {
      return new ApplyResult(List.of(), List.of(), false);
    }
    VersionChecks.delivered(change, version, horizon);
    if (!deliverable(change)) {
      pending.add(change);
      return new ApplyResult(List.of(), List.of(), true);
    }
    List<Change> applied = new ArrayList<>();
    List<ConflictEvent> events = new ArrayList<>();
    applyNow(change, applied, events, withEvents);
    pending.drain(
        this::isApplied, this::deliverable, p -> applyNow(p, applied, events, withEvents));
    return new ApplyResult(applied, events, false);
  }

  /** Whether this replica has applied {@code change}. */
  public boolean isApplied(Change change) {
    return version.get(change.replica()) >= change.startCounter();
  }

  /** Changes waiting for their dependencies. */
  public List<Change> pending() {
    return pending.list();
  }

  private boolean deliverable(Change c) {
    return version.dominates(c.deps());
  }

  private void applyNow(
      Change c, List<Change> applied, List<ConflictEvent> events, boolean withEvents) {
    UndoLog undo = reads.mutating ? new UndoLog() : undoScratch.cleared();
    Sites sites =
        reads.mutating
            ? (withEvents ? new Sites(state) : Sites.untracked(state))
            : (withEvents ? sitesScratch : untrackedScratch).cleared();
    long counter = c.startCounter();
    reads.mutating = true;
    stateChanged();
    try {
      for (Op op : c.ops()) {
        state.apply(
            op,
            new OpId(counter, c.replica()),
            c.startCounter(),
            c.basedOn(),
            c.author(),
            c.timestamp(),
            undo,
            sites);
        counter += op.width();
      }
    } catch (RuntimeException e) {
      undo.rollback();
      state.rolledBack();
      throw new DocException(
          Code.INVALID_CHANGE, "change " + c.id() + " cannot apply: " + e.getMessage());
    } finally {
      reads.mutating = false;
    }
    List<ConflictEvent> ev = withEvents ? sites.events(c.author(), c.id()) : List.of();
    commit(c);
    applied.add(c);
    events.addAll(ev);
    listeners.applied(c, ev);
  }

  private void commit(Change c) {
    long end = c.endCounter();
    VersionVector before = version;
    version = version.with(c.replica(), end);
    maxCounter = Math.max(maxCounter, end);
    history.add(c, c.deps() == before ? version : null);
    stateChanged();
  }

  private void stateChanged() {
    reads.changed();
  }

  // ---- reading -----------------------------------------------------------------------------

  /** The document as it shows now, lists with element ids. */
  public Value read() {
    return reads.value();
  }

  /**
   * The document as plain JSON-like Java: maps (sorted keys), lists, strings, numbers, booleans.
   */
  public Object toPlain() {
    return read().toPlain();
  }

  /**
   * The value shown at {@code path} as plain JSON-like Java.
   *
   * @throws DocException {@code path_not_found} if nothing shows there
   */
  public Object get(Path path) {
    // Only the path and the subtree under it: a server checks a moved card this way on every
    // move, and a whole read after each change cost the entire board each time.
    Value v = new Materializer(state).at(path);
    if (v == null) {
      throw new DocException(Code.PATH_NOT_FOUND, "nothing shows at " + path);
    }
    return v.toPlain();
  }

  /** Every open conflict, ordered by id. */
  public List<Conflict> conflicts() {
    return reads.conflicts();
  }

  /**
   * A hex SHA-256 of what the document shows and which conflicts are open — equal on replicas that
   * applied the same changes, whatever their order or replica ids.
   */
  public String stateHash() {
    return reads.hash();
  }

  // ---- history -----------------------------------------------------------------------------

  /**
   * The changes this replica has that {@code since} lacks, in an order they can be applied in.
   *
   * @throws DocException {@code stale_base} if some of them were compacted away
   */
  public List<Change> changesSince(VersionVector since) {
    VersionChecks.historySince(since, horizon);
    return history.all().changesSince(since);
  }

  /** Every change still in the history (since the horizon), in applied order. */
  public List<Change> history() {
    return List.copyOf(history.all());
  }

  /**
   * The ops that a writer who had seen {@code basedOn} had not, and that touched one of {@code
   * paths}, one of their ancestors or descendants: the reason to refuse a strict write.
   *
   * @throws DocException {@code stale_base} if {@code basedOn} is older than the history kept
   */
  public List<UnseenChange> unseenChanges(VersionVector basedOn, Collection<Path> paths) {
    VersionChecks.unseenBase(basedOn, horizon);
    return history.unseen(state, basedOn, horizon, paths);
  }

  // ---- compaction --------------------------------------------------------------------------

  /**
   * Forgets what no replica and no writer can need any more: the history up to {@code stable},
   * values whose retirement is in {@code stable}, deleted elements' contents and deleted chars'
   * text. Ids and order of deleted list positions and chars stay, so later ops can still refer to
   * them.
   *
   * <p>The caller MUST guarantee that every replica has applied {@code stable} and that no change
   * based on a version below it will be made or delivered any more; after this call such changes
   * and edits are refused with {@code stale_base}.
   */
  public void compact(VersionVector stable) {
    VersionChecks.compactTo(stable, version);
    horizon = horizon.merge(stable);
    history.trim(horizon);
    new Compactor(state).compact(horizon);
    stateChanged();
  }

  /** Sizes of the retained state, to watch memory without timing anything. */
  public DocStats stats() {
    return DocStats.of(state, historySize(), pending.size());
  }

  /** Changes kept in the history (since the horizon), without decoding or walking anything. */
  public int historySize() {
    return history.size();
  }

  /** The internal state, for the codec. Not for application code. */
  public DocState internalState() {
    return state;
  }

  /** Restores bookkeeping after the codec has loaded a snapshot's state. */
  public void internalRestore(
      VersionVector version, VersionVector horizon, List<Change> history, List<Change> pending) {
    this.version = version;
    this.horizon = horizon;
    for (long c : version.asMap().values()) {
      maxCounter = Math.max(maxCounter, c);
    }
    history.forEach(c -> this.history.add(c, null));
    this.pending.addAll(pending);
    stateChanged();
  }

  /**
   * Like {@link #internalRestore(VersionVector, VersionVector, List, List)}, with a history to be
   * decoded on first use. Not for application code.
   */
  public void internalRestore(
      VersionVector version,
      VersionVector horizon,
      UndecodedHistory history,
      List<Change> pending) {
    internalRestore(version, horizon, List.of(), pending);
    this.history.restoreUndecoded(history);
  }

  /** For the codec: the part of the history not decoded yet (null if none), older than the rest. */
  public UndecodedHistory internalUndecodedHistory() {
    return history.undecoded();
  }

  /**
   * For the codec: the decoded part of the history, newer than the undecoded part, as it is now
   * (immutable; it may be read on another thread).
   */
  public List<Change> internalDecodedHistory() {
    return history.decoded();
  }
}
