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
  // Per replica i: last at [3i], lastStart at [3i + 1], prevMax at [3i + 2]. One array, not three:
  // every list element has a TouchVec, and two more arrays kept 48 bytes alive per element.
  private long[] v = new long[0];

  void record(OpId id, long changeStart, ReplicaTable t) {
    int i = t.index(id.replica());
    grow(i);
    int k = 3 * i;
    if (v[k + 1] == changeStart) {
      v[k] = Math.max(v[k], id.counter());
    } else if (changeStart > v[k + 1]) {
      v[k + 2] = Math.max(v[k + 2], v[k]);
      v[k] = id.counter();
      v[k + 1] = changeStart;
    } else {
      // an op of an older change (only when aggregating subtrees): it precedes "last"'s change
      v[k + 2] = Math.max(v[k + 2], id.counter());
    }
  }

  void merge(TouchVec o) {
    for (int k = 0; k < o.v.length; k += 3) {
      if (o.v[k] == 0) {
        continue;
      }
      grow(k / 3);
      if (o.v[k + 1] == v[k + 1]) {
        v[k] = Math.max(v[k], o.v[k]);
        v[k + 2] = Math.max(v[k + 2], o.v[k + 2]);
      } else if (o.v[k + 1] > v[k + 1]) {
        v[k + 2] = Math.max(Math.max(v[k + 2], v[k]), o.v[k + 2]);
        v[k] = o.v[k];
        v[k + 1] = o.v[k + 1];
      } else {
        v[k + 2] = Math.max(v[k + 2], Math.max(o.v[k], o.v[k + 2]));
      }
    }
  }

  /** Whether the writer of {@code r} had seen every op counted here. */
  boolean coveredBy(Retirement r, ReplicaTable t) {
    for (int k = 0; k < v.length; k += 3) {
      if (v[k] == 0) {
        continue;
      }
      String replica = t.name(k / 3);
      long seen = r.deps().get(replica);
      if (replica.equals(r.by().replica()) && v[k + 1] == r.changeStart()) {
        if (v[k + 2] > seen || v[k] > r.by().counter()) {
          return false;
        }
      } else if (v[k] > seen) {
        return false;
      }
    }
    return true;
  }

  /** Replica {@code i}'s entry as {@link #restore} takes it back: last, lastStart, prevMax. */
  long last(int i) {
    return 3 * i < v.length ? v[3 * i] : 0;
  }

  long lastStart(int i) {
    return 3 * i < v.length ? v[3 * i + 1] : 0;
  }

  long prevMax(int i) {
    return 3 * i < v.length ? v[3 * i + 2] : 0;
  }

  /** Puts replica {@code i}'s entry back as it was (undoing a {@link #record}). */
  void restore(int i, long l, long s, long p) {
    grow(i);
    v[3 * i] = l;
    v[3 * i + 1] = s;
    v[3 * i + 2] = p;
  }

  /** Per replica name: {last, lastStart, prevMax}. */
  java.util.Map<String, long[]> export(ReplicaTable t) {
    int replicas = 0;
    int last = -1;
    for (int k = 0; k < v.length; k += 3) {
      if (v[k] != 0) {
        replicas++;
        last = k;
      }
    }
    if (replicas == 1) {
      // most objects were only ever touched through one replica: no tree for one entry
      return java.util.Map.of(t.name(last / 3), new long[] {v[last], v[last + 1], v[last + 2]});
    }
    java.util.Map<String, long[]> out = new java.util.TreeMap<>();
    for (int k = 0; k < v.length; k += 3) {
      if (v[k] != 0) {
        out.put(t.name(k / 3), new long[] {v[k], v[k + 1], v[k + 2]});
      }
    }
    return out;
  }

  void load(java.util.Map<String, long[]> in, ReplicaTable t) {
    in.forEach((replica, e) -> restore(t.index(replica), e[0], e[1], e[2]));
  }

  private void grow(int i) {
    if (3 * i >= v.length) {
      v = Arrays.copyOf(v, 3 * Math.max(i + 1, v.length / 3 * 2));
    }
  }
}
