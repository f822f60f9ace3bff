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
    v.forEach((replica, counter) -> raise(t.index(replica), counter));
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

  /** Puts the counters back as they are now, when run (after merges). */
  public Runnable undoMerge() {
    long[] old = c.clone();
    return () -> c = old;
  }

  public VersionVector toVersionVector(ReplicaTable t) {
    TreeMap<String, Long> m = new TreeMap<>();
    for (int i = 0; i < c.length; i++) {
      if (c[i] > 0) {
        m.put(t.name(i), c[i]);
      }
    }
    return VersionVector.of(m);
  }
}
