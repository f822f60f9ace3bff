package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Sequence}'s runs by atom id: one {@link RunIndex} per replica, and two lookup hints.
 *
 * <p>The hints are the runs ids were last looked up in or typed into: typing asks for the atoms
 * around the previous keystroke (its run and the next) again and again, and an insert between two
 * atoms names them as its origins right after they were found.
 *
 * <p>Not thread-safe.
 */
final class RunIds {
  private final Map<String, RunIndex> byReplica = new HashMap<>();

  // The replica whose ids were looked up last: typing asks for one replica's, several times an op.
  private String lastReplica;
  private RunIndex lastIds;

  private Run hint;
  private Run hint2;

  /** Replica {@code replica}'s runs, or null if it has none here. */
  private RunIndex ids(String replica) {
    if (replica == lastReplica) {
      return lastIds;
    }
    RunIndex ids = byReplica.get(replica);
    if (ids != null) {
      lastReplica = replica;
      lastIds = ids;
    }
    return ids;
  }

  /** The run holding atom {@code id}, or null. */
  Run runOf(OpId id) {
    if (holds(hint, id)) {
      return hint;
    }
    if (holds(hint2, id)) {
      Run h = hint2;
      hint2 = hint;
      hint = h;
      return h;
    }
    RunIndex ids = ids(id.replica());
    if (ids == null || id.counter() >= ids.end) {
      return null;
    }
    Run r = ids.floor(id.counter());
    if (r == null || id.counter() >= r.counter + r.len) {
      return null;
    }
    pushHint(r);
    return r;
  }

  private static boolean holds(Run r, OpId id) {
    return r != null
        && id.counter() >= r.counter
        && id.counter() < r.counter + r.len
        && r.replica.equals(id.replica());
  }

  /** {@code r} is the run to look in first; the one before it second. */
  void pushHint(Run r) {
    hint2 = hint;
    hint = r;
  }

  /** {@code r} is the run to look in first. */
  void setHint(Run r) {
    hint = r;
  }

  /** {@code r} is the run to look in second. */
  void setSecondHint(Run r) {
    hint2 = r;
  }

  /** Indexes a new run. */
  void add(Run r) {
    RunIndex ids = ids(r.replica);
    if (ids == null) {
      ids = new RunIndex();
      byReplica.put(r.replica, ids);
    }
    ids.put(r);
    ids.end = Math.max(ids.end, r.counter + r.len);
  }

  /** Indexes the right part of a split (its atoms were indexed with the left part). */
  void addSplit(Run right) {
    ids(right.replica).put(right);
  }

  /** {@code r} grew at its end: typing. */
  void grew(Run r) {
    RunIndex ids = ids(r.replica);
    ids.end = Math.max(ids.end, r.counter + r.len);
  }

  void remove(Run r) {
    if (hint == r || hint2 == r) {
      hint = null;
      hint2 = null;
    }
    ids(r.replica).remove(r);
  }
}
