package dev.chorus.crdt.clock;

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

  public static final VersionVector EMPTY = new VersionVector(new TreeMap<>());

  private final TreeMap<String, Long> entries;
  private int hash;

  private VersionVector(TreeMap<String, Long> entries) {
    this.entries = entries;
  }

  /** A vector with the given entries; zero entries are dropped. */
  public static VersionVector of(Map<String, Long> entries) {
    TreeMap<String, Long> copy = new TreeMap<>();
    entries.forEach(
        (replica, counter) -> {
          if (counter == null || counter < 0) {
            throw new IllegalArgumentException("bad counter for replica " + replica);
          }
          if (counter > 0) {
            copy.put(replica, counter);
          }
        });
    return copy.isEmpty() ? EMPTY : new VersionVector(copy);
  }

  /** The highest included counter of {@code replica}, 0 if none. */
  public long get(String replica) {
    return entries.getOrDefault(replica, 0L);
  }

  public boolean includes(OpId id) {
    return id.counter() <= get(id.replica());
  }

  /** This vector with {@code replica} raised to at least {@code counter}. */
  public VersionVector with(String replica, long counter) {
    if (get(replica) >= counter) {
      return this;
    }
    TreeMap<String, Long> copy = new TreeMap<>(entries);
    copy.put(replica, counter);
    return new VersionVector(copy);
  }

  /** The least vector that includes both. */
  public VersionVector merge(VersionVector other) {
    if (other.dominates(this)) {
      return other;
    }
    if (this.dominates(other)) {
      return this;
    }
    TreeMap<String, Long> copy = new TreeMap<>(entries);
    other.entries.forEach((r, c) -> copy.merge(r, c, Math::max));
    return new VersionVector(copy);
  }

  /** The greatest vector included in both (used for causal stability). */
  public VersionVector meet(VersionVector other) {
    TreeMap<String, Long> copy = new TreeMap<>();
    entries.forEach(
        (r, c) -> {
          long m = Math.min(c, other.get(r));
          if (m > 0) {
            copy.put(r, m);
          }
        });
    return copy.isEmpty() ? EMPTY : new VersionVector(copy);
  }

  /** Whether this vector includes everything {@code other} includes. */
  public boolean dominates(VersionVector other) {
    for (Map.Entry<String, Long> e : other.entries.entrySet()) {
      if (get(e.getKey()) < e.getValue()) {
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
    for (Map.Entry<String, Long> e : entries.entrySet()) {
      f.accept(e.getKey(), e.getValue());
    }
  }

  /** The entries, sorted by replica id. */
  public Map<String, Long> asMap() {
    return Collections.unmodifiableMap(entries);
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionVector v && v.entries.equals(entries);
  }

  @Override
  public int hashCode() {
    // Immutable; a snapshot looks up the same vectors (retirements' deps) again and again.
    int h = hash;
    if (h == 0) {
      h = entries.hashCode();
      hash = h;
    }
    return h;
  }

  /** {@code "n1:42,n2:7"}, replicas sorted; the empty vector is {@code ""}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    entries.forEach(
        (r, c) -> {
          if (sb.length() > 0) {
            sb.append(',');
          }
          sb.append(r).append(':').append(c);
        });
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
    if (t.isEmpty()) {
      return EMPTY;
    }
    TreeMap<String, Long> m = new TreeMap<>();
    for (String part : t.split(",")) {
      int colon = part.lastIndexOf(':');
      if (colon <= 0 || colon == part.length() - 1) {
        throw new IllegalArgumentException("not a version (expected replica:counter,...): " + s);
      }
      try {
        long c = Long.parseLong(part.substring(colon + 1).trim());
        if (c < 0) {
          throw new IllegalArgumentException("negative counter in version: " + s);
        }
        if (m.put(part.substring(0, colon).trim(), c) != null) {
          throw new IllegalArgumentException("replica listed twice in version: " + s);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a version (expected replica:counter,...): " + s, e);
      }
    }
    return of(m);
  }
}
