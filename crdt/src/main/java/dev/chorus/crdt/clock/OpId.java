package dev.chorus.crdt.clock;

import java.util.Objects;

/**
 * The globally unique id of one operation: a Lamport counter plus the id of the replica that made
 * it.
 *
 * <p>Ids are totally ordered by counter, then replica id. That order breaks every tie in the
 * document the same way on every replica: the display winner of a conflict, the order of concurrent
 * inserts at one place, the winner of concurrent moves.
 *
 * <p>A replica's counters strictly increase, so {@code (counter, replica)} is unique and a version
 * vector entry {@code replica -> counter} says exactly which of that replica's ops are included.
 */
public record OpId(long counter, String replica) implements Comparable<OpId> {

  /** The id of the root map of every document. No real operation ever has counter 0. */
  public static final OpId ROOT = new OpId(0, "");

  public OpId {
    Objects.requireNonNull(replica, "replica");
    if (counter < 0) {
      throw new IllegalArgumentException("counter must be >= 0: " + counter);
    }
  }

  // Written out: the generated record methods showed in profiles of list moves (ids are map keys
  // and compared on every lookup). The hash is the one the record generated.
  @Override
  public boolean equals(Object o) {
    return o instanceof OpId other && counter == other.counter && replica.equals(other.replica);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(counter) + replica.hashCode();
  }

  @Override
  public int compareTo(OpId o) {
    int c = Long.compare(counter, o.counter);
    return c != 0 ? c : replica.compareTo(o.replica);
  }

  /** The id {@code n} counters further on, from the same replica (ids inside one run). */
  public OpId plus(long n) {
    return n == 0 ? this : new OpId(counter + n, replica);
  }

  /** {@code "12@n1"}; the root is {@code "root"}. */
  @Override
  public String toString() {
    return this.equals(ROOT) ? "root" : counter + "@" + replica;
  }

  /**
   * Parses the form {@link #toString()} writes.
   *
   * @throws IllegalArgumentException if {@code s} is not of that form
   */
  public static OpId parse(String s) {
    if ("root".equals(s)) {
      return ROOT;
    }
    int at = s == null ? -1 : s.indexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      throw new IllegalArgumentException("not an op id (expected counter@replica): " + s);
    }
    try {
      long counter = Long.parseLong(s.substring(0, at));
      if (counter <= 0) {
        throw new IllegalArgumentException("op id counter must be positive: " + s);
      }
      return new OpId(counter, s.substring(at + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an op id (expected counter@replica): " + s, e);
    }
  }

  /** Whether {@code s} looks like an op id, without throwing. */
  public static boolean looksLikeId(String s) {
    int at = s.indexOf('@');
    if (at <= 0 || at == s.length() - 1) {
      return false;
    }
    for (int i = 0; i < at; i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
