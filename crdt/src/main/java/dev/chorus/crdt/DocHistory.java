package dev.chorus.crdt;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.Op;
import dev.chorus.crdt.type.DocState;
import dev.chorus.crdt.type.Materializer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The changes a {@link Doc} keeps since its compaction horizon, in applied order: the log new
 * changes are added to, and the older part a snapshot held, decoded on first use (a load then costs
 * the state alone).
 *
 * <p>Not thread-safe; {@link #decoded()} is an immutable view that may be read on another thread.
 */
final class DocHistory {
  private HistoryLog log = new HistoryLog();
  private UndecodedHistory undecoded;

  /** Adds {@code c}; {@code after} is the version right after it, if known (else null). */
  void add(Change c, VersionVector after) {
    log.add(c, after);
  }

  /** Every kept change, decoding the older part first if it is not yet. */
  HistoryView all() {
    if (undecoded != null) {
      List<Change> older = undecoded.decode();
      undecoded = null;
      rebuild(older, log.view());
    }
    return log.view();
  }

  /** How many changes, without decoding or walking anything. */
  int size() {
    return log.size() + (undecoded == null ? 0 : undecoded.size());
  }

  /** Forgets the changes whose ops are all at or below {@code horizon}. */
  void trim(VersionVector horizon) {
    List<Change> kept = new ArrayList<>();
    for (Change c : all()) {
      if (horizon.get(c.replica()) < c.endCounter()) {
        kept.add(c);
      }
    }
    rebuild(kept, List.of());
  }

  private void rebuild(List<Change> older, List<Change> newer) {
    log = new HistoryLog();
    older.forEach(c -> log.add(c, null));
    newer.forEach(c -> log.add(c, null));
  }

  /** After a snapshot load: the older part, to be decoded when first needed. */
  void restoreUndecoded(UndecodedHistory older) {
    this.undecoded = older.size() == 0 ? null : older;
  }

  UndecodedHistory undecoded() {
    return undecoded;
  }

  /** The decoded part, newer than the undecoded part, as it is now (immutable). */
  List<Change> decoded() {
    return log.view();
  }

  /**
   * The ops that a writer who had seen {@code basedOn} had not, and that touched one of {@code
   * paths}, one of their ancestors or descendants.
   */
  List<UnseenChange> unseen(
      DocState state, VersionVector basedOn, VersionVector horizon, Collection<Path> paths) {
    Materializer mat = new Materializer(state);
    List<UnseenChange> out = new ArrayList<>();
    // Only the changes basedOn lacks are made from the history's rows (the history starts at the
    // horizon, and every change extends the version by its own ops).
    HistoryView.Unseen unseen = all().unseen(basedOn, horizon);
    for (int i = 0; i < unseen.changes().size(); i++) {
      Change c = unseen.changes().get(i);
      String after = unseen.after().get(i).toString();
      long counter = c.startCounter();
      for (Op op : c.ops()) {
        OpId id = new OpId(counter, c.replica());
        counter += op.width();
        OpTouch t = OpTouch.of(op, id, state, mat);
        if (t == null) {
          continue;
        }
        for (Path p : paths) {
          if (t.path().overlaps(p)) {
            out.add(new UnseenChange(t.path(), t.action(), t.value(), c.author(), id, after));
            break;
          }
        }
      }
    }
    return out;
  }
}
