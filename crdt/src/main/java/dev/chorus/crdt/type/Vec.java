package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * A mutable per-replica maximum of counters, indexed through a {@link ReplicaTable}: the cheap
 * internal twin of {@link VersionVector} for aggregates updated on every op.
 */
public final class Vec {
  private long[] c = new long[0];

  public long get(int i) {
    return i < c.length ? c[i] : 0;
  }

  public void raise(int i, long counter) {
    if (i >= c.length) {
      c = Arrays.copyOf(c, Math.max(i + 1, c.length * 2));
    }
    if (c[i] < counter) {
      c[i] = counter;
    }
  }

  public void raise(OpId id, ReplicaTable t) {
    raise(t.index(id.replica()), id.counter());
  }

  public void merge(VersionVector v, ReplicaTable t) {
    // Indexed, not forEach: the capturing lambda was made anew for every op of every edit.
    for (int i = 0; i < v.size(); i++) {
      raise(t.index(v.replicaAt(i)), v.counterAt(i));
    }
  }

  public void merge(Vec o) {
    for (int i = 0; i < o.c.length; i++) {
      if (o.c[i] > 0) {
        raise(i, o.c[i]);
      }
    }
  }

  /** Whether {@code v} includes everything this vector counts. */
  public boolean coveredBy(VersionVector v, ReplicaTable t) {
    for (int i = 0; i < c.length; i++) {
      if (c[i] > 0 && v.get(t.name(i)) < c[i]) {
        return false;
      }
    }
    return true;
  }

  public boolean includes(OpId id, ReplicaTable t) {
    int i = t.find(id.replica());
    return i >= 0 && get(i) >= id.counter();
  }

  /** The counters as they are now, for {@link #restore}. */
  long[] saved() {
    return c.clone();
  }

  /** Puts back counters {@link #saved} earlier. */
  void restore(long[] saved) {
    c = saved;
  }

  public VersionVector toVersionVector(ReplicaTable t) {
    int replicas = 0;
    int last = -1;
    for (int i = 0; i < c.length; i++) {
      if (c[i] > 0) {
        replicas++;
        last = i;
      }
    }
    if (replicas <= 1) {
      // most objects were only ever written through one replica: no map to sort
      return last < 0 ? VersionVector.EMPTY : VersionVector.of(t.name(last), c[last]);
    }
    TreeMap<String, Long> m = new TreeMap<>();
    for (int i = 0; i < c.length; i++) {
      if (c[i] > 0) {
        m.put(t.name(i), c[i]);
      }
    }
    return VersionVector.of(m);
  }
}
