package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import java.util.Arrays;

/**
 * Per replica, the newest op made in a subtree — plus enough to tell whether a retirement's writer
 * had seen all of them when the writer's own change also edited the subtree.
 *
 * <p>A thin client's view is a version vector, which is closed under "earlier ops of the same
 * replica"; but its own change is not in its view, and other clients of the same replica may have
 * made ops between its view and its change. So for each replica we keep the newest op ({@code
 * last}), the start of the change it belongs to ({@code lastStart}), and the newest op of any
 * earlier change ({@code prevMax}). A retirement made in change {@code s} has seen the subtree of
 * its own replica iff {@code prevMax <= deps} when {@code lastStart == s} (only its own change's
 * earlier ops are newer), else iff {@code last <= deps}.
 */
final class TouchVec {
  private long[] last = new long[0];
  private long[] lastStart = new long[0];
  private long[] prevMax = new long[0];

  void record(OpId id, long changeStart, ReplicaTable t) {
    int i = t.index(id.replica());
    grow(i);
    if (lastStart[i] == changeStart) {
      last[i] = Math.max(last[i], id.counter());
    } else if (changeStart > lastStart[i]) {
      prevMax[i] = Math.max(prevMax[i], last[i]);
      last[i] = id.counter();
      lastStart[i] = changeStart;
    } else {
      // an op of an older change (only when aggregating subtrees): it precedes "last"'s change
      prevMax[i] = Math.max(prevMax[i], id.counter());
    }
  }

  void merge(TouchVec o) {
    for (int i = 0; i < o.last.length; i++) {
      if (o.last[i] == 0) {
        continue;
      }
      grow(i);
      if (o.lastStart[i] == lastStart[i]) {
        last[i] = Math.max(last[i], o.last[i]);
        prevMax[i] = Math.max(prevMax[i], o.prevMax[i]);
      } else if (o.lastStart[i] > lastStart[i]) {
        prevMax[i] = Math.max(Math.max(prevMax[i], last[i]), o.prevMax[i]);
        last[i] = o.last[i];
        lastStart[i] = o.lastStart[i];
      } else {
        prevMax[i] = Math.max(prevMax[i], Math.max(o.last[i], o.prevMax[i]));
      }
    }
  }

  /** Whether the writer of {@code r} had seen every op counted here. */
  boolean coveredBy(Retirement r, ReplicaTable t) {
    for (int i = 0; i < last.length; i++) {
      if (last[i] == 0) {
        continue;
      }
      String replica = t.name(i);
      long seen = r.deps().get(replica);
      if (replica.equals(r.by().replica()) && lastStart[i] == r.changeStart()) {
        if (prevMax[i] > seen || last[i] > r.by().counter()) {
          return false;
        }
      } else if (last[i] > seen) {
        return false;
      }
    }
    return true;
  }

  /** Replica {@code i}'s entry as {@link #restore} takes it back: last, lastStart, prevMax. */
  long last(int i) {
    return i < last.length ? last[i] : 0;
  }

  long lastStart(int i) {
    return i < lastStart.length ? lastStart[i] : 0;
  }

  long prevMax(int i) {
    return i < prevMax.length ? prevMax[i] : 0;
  }

  /** Puts replica {@code i}'s entry back as it was (undoing a {@link #record}). */
  void restore(int i, long l, long s, long p) {
    grow(i);
    last[i] = l;
    lastStart[i] = s;
    prevMax[i] = p;
  }

  /** Per replica name: {last, lastStart, prevMax}. */
  java.util.Map<String, long[]> export(ReplicaTable t) {
    java.util.Map<String, long[]> out = new java.util.TreeMap<>();
    for (int i = 0; i < last.length; i++) {
      if (last[i] != 0) {
        out.put(t.name(i), new long[] {last[i], lastStart[i], prevMax[i]});
      }
    }
    return out;
  }

  void load(java.util.Map<String, long[]> in, ReplicaTable t) {
    in.forEach(
        (replica, v) -> {
          int i = t.index(replica);
          grow(i);
          last[i] = v[0];
          lastStart[i] = v[1];
          prevMax[i] = v[2];
        });
  }

  private void grow(int i) {
    if (i >= last.length) {
      int n = Math.max(i + 1, last.length * 2);
      last = Arrays.copyOf(last, n);
      lastStart = Arrays.copyOf(lastStart, n);
      prevMax = Arrays.copyOf(prevMax, n);
    }
  }
}
