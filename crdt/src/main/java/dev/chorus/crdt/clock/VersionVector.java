package dev.chorus.crdt.clock;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable version vector: for each replica, the highest counter of that replica's operations
 * that are included. Replicas are server nodes, not clients, so vectors stay small.
 *
 * <p>Because a replica applies another replica's changes in order, an entry {@code r -> c} means
 * every op of {@code r} with counter {@code <= c} is included ({@link #includes(OpId)}).
 *
 * <p>The text form {@code "n1:42,n2:7"} (replicas sorted) is what clients see as a document version
 * and what REST uses as an ETag.
 */
public final class VersionVector {

  public static final VersionVector EMPTY = new VersionVector(new String[0], new long[0]);

  // Sorted by replica, no zero counters. Arrays, not a map: a vector has a handful of entries,
  // and every change makes a new one (with), so copying must cost next to nothing.
  private final String[] replicas;
  private final long[] counters;
  private int hash;

  private VersionVector(String[] replicas, long[] counters) {
    this.replicas = replicas;
    this.counters = counters;
  }

  /** A vector of one replica's counter (0: the empty vector). */
  public static VersionVector of(String replica, long counter) {
    if (counter < 0) {
      throw new IllegalArgumentException("bad counter for replica " + replica);
    }
    return counter == 0 ? EMPTY : new VersionVector(new String[] {replica}, new long[] {counter});
  }

  /** A vector with the given entries; zero entries are dropped. */
  public static VersionVector of(Map<String, Long> entries) {
    TreeMap<String, Long> sorted = new TreeMap<>();
    entries.forEach(
        (replica, counter) -> {
          if (counter == null || counter < 0) {
            throw new IllegalArgumentException("bad counter for replica " + replica);
          }
          if (counter > 0) {
            sorted.put(replica, counter);
          }
        });
    if (sorted.isEmpty()) {
      return EMPTY;
    }
    String[] rs = new String[sorted.size()];
    long[] cs = new long[sorted.size()];
    int i = 0;
    for (Map.Entry<String, Long> e : sorted.entrySet()) {
      rs[i] = e.getKey();
      cs[i++] = e.getValue();
    }
    return new VersionVector(rs, cs);
  }

  /** The index of {@code replica}, or {@code -(insertion point) - 1} (as a binary search). */
  private int indexOf(String replica) {
    // A scan: vectors are as small as the cluster, and equals, unlike compareTo, stops at once on
    // the same instance (replica ids are shared strings). Asked for every value a writer saw.
    for (int i = 0; i < replicas.length; i++) {
      String r = replicas[i];
      if (r == replica || r.equals(replica)) {
        return i;
      }
      if (r.compareTo(replica) > 0) {
        return -i - 1;
      }
    }
    return -replicas.length - 1;
  }

  /** The highest included counter of {@code replica}, 0 if none. */
  public long get(String replica) {
    int i = indexOf(replica);
    return i >= 0 ? counters[i] : 0;
  }

  public boolean includes(OpId id) {
    return id.counter() <= get(id.replica());
  }

  /** This vector with {@code replica} raised to at least {@code counter}. */
  public VersionVector with(String replica, long counter) {
    int i = indexOf(replica);
    if (i >= 0) {
      if (counters[i] >= counter) {
        return this;
      }
      long[] cs = counters.clone();
      cs[i] = counter;
      return new VersionVector(replicas, cs);
    }
    if (counter <= 0) {
      return this;
    }
    int at = -i - 1;
    String[] rs = new String[replicas.length + 1];
    long[] cs = new long[counters.length + 1];
    System.arraycopy(replicas, 0, rs, 0, at);
    System.arraycopy(counters, 0, cs, 0, at);
    rs[at] = replica;
    cs[at] = counter;
    System.arraycopy(replicas, at, rs, at + 1, replicas.length - at);
    System.arraycopy(counters, at, cs, at + 1, counters.length - at);
    return new VersionVector(rs, cs);
  }

  /** The least vector that includes both. */
  public VersionVector merge(VersionVector other) {
    if (other.dominates(this)) {
      return other;
    }
    if (this.dominates(other)) {
      return this;
    }
    VersionVector out = this;
    for (int i = 0; i < other.replicas.length; i++) {
      out = out.with(other.replicas[i], other.counters[i]);
    }
    return out;
  }

  /** The greatest vector included in both (used for causal stability). */
  public VersionVector meet(VersionVector other) {
    TreeMap<String, Long> m = new TreeMap<>();
    for (int i = 0; i < replicas.length; i++) {
      long c = Math.min(counters[i], other.get(replicas[i]));
      if (c > 0) {
        m.put(replicas[i], c);
      }
    }
    return of(m);
  }

  /** Whether this vector includes everything {@code other} includes. */
  public boolean dominates(VersionVector other) {
    if (other == this) {
      return true;
    }
    for (int i = 0; i < other.replicas.length; i++) {
      if (get(other.replicas[i]) < other.counters[i]) {
        return false;
      }
    }
    return true;
  }

  public Ordering compare(VersionVector other) {
    boolean ge = dominates(other);
    boolean le = other.dominates(this);
    if (ge && le) {
      return Ordering.SAME;
    }
    if (ge) {
      return Ordering.AFTER;
    }
    if (le) {
      return Ordering.BEFORE;
    }
    return Ordering.CONCURRENT;
  }

  /** Calls {@code f} for each entry, replicas in order; no allocation. */
  public void forEach(java.util.function.ObjLongConsumer<String> f) {
    for (int i = 0; i < replicas.length; i++) {
      f.accept(replicas[i], counters[i]);
    }
  }

  /** How many replicas have an entry. */
  public int size() {
    return replicas.length;
  }

  /** The {@code i}-th replica in order ({@code 0 <= i < size()}). */
  public String replicaAt(int i) {
    return replicas[i];
  }

  /** The counter of the {@code i}-th replica in order. */
  public long counterAt(int i) {
    return counters[i];
  }

  /** The entries, sorted by replica id. */
  public Map<String, Long> asMap() {
    TreeMap<String, Long> m = new TreeMap<>();
    forEach(m::put);
    return Collections.unmodifiableMap(m);
  }

  public boolean isEmpty() {
    return replicas.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionVector v
        && Arrays.equals(v.counters, counters)
        && Arrays.equals(v.replicas, replicas);
  }

  @Override
  public int hashCode() {
    // Immutable; a snapshot looks up the same vectors (retirements' deps) again and again.
    int h = hash;
    if (h == 0) {
      h = 31 * Arrays.hashCode(replicas) + Arrays.hashCode(counters);
      hash = h;
    }
    return h;
  }

  /** {@code "n1:42,n2:7"}, replicas sorted; the empty vector is {@code ""}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < replicas.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(replicas[i]).append(':').append(counters[i]);
    }
    return sb.toString();
  }

  /**
   * Parses the form {@link #toString()} writes.
   *
   * @throws IllegalArgumentException if {@code s} is not of that form
   */
  public static VersionVector parse(String s) {
    if (s == null) {
      throw new IllegalArgumentException("version is null");
    }
    String t = s.trim();
    int len = t.length();
    while (len > 0 && t.charAt(len - 1) == ',') {
      len--; // trailing commas were always accepted (String.split drops what follows them)
    }
    t = t.substring(0, len);
    if (t.isEmpty()) {
      return EMPTY;
    }
    // Read into arrays in one pass (every change a replica receives carries two versions): the
    // text form is sorted, so the arrays are the vector; anything else goes through a map.
    int n = 1;
    for (int i = t.indexOf(','); i >= 0; i = t.indexOf(',', i + 1)) {
      n++;
    }
    String[] rs = new String[n];
    long[] cs = new long[n];
    int kept = 0;
    boolean ascending = true;
    int from = 0;
    for (int k = 0; k < n; k++) {
      int end = k == n - 1 ? t.length() : t.indexOf(',', from);
      int colon = t.lastIndexOf(':', end - 1);
      if (colon <= from || colon == end - 1) {
        throw new IllegalArgumentException("not a version (expected replica:counter,...): " + s);
      }
      long c;
      try {
        c = Long.parseLong(t.substring(colon + 1, end).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a version (expected replica:counter,...): " + s, e);
      }
      if (c < 0) {
        throw new IllegalArgumentException("negative counter in version: " + s);
      }
      String replica = t.substring(from, colon).trim();
      for (int j = 0; j < kept; j++) {
        if (rs[j].equals(replica)) {
          throw new IllegalArgumentException("replica listed twice in version: " + s);
        }
      }
      if (kept > 0 && rs[kept - 1].compareTo(replica) > 0) {
        ascending = false;
      }
      rs[kept] = replica;
      cs[kept++] = c;
      from = end + 1;
    }
    if (!ascending) {
      TreeMap<String, Long> m = new TreeMap<>();
      for (int i = 0; i < kept; i++) {
        m.put(rs[i], cs[i]);
      }
      return of(m);
    }
    int nonZero = 0;
    for (int i = 0; i < kept; i++) {
      if (cs[i] > 0) {
        rs[nonZero] = rs[i];
        cs[nonZero++] = cs[i];
      }
    }
    return nonZero == 0
        ? EMPTY
        : new VersionVector(Arrays.copyOf(rs, nonZero), Arrays.copyOf(cs, nonZero));
  }
}
