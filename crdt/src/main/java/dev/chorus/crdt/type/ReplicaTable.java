package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Numbers the replicas one document replica has heard of, so per-replica counters can live in plain
 * arrays. The numbering is local (it differs between replicas) and never leaves the process.
 */
public final class ReplicaTable {
  /** Up to this many replicas, {@link #parseId} finds an id's replica name by scanning them. */
  static final int SCANNED_NAMES = 16;

  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> names = new ArrayList<>();

  // The replica asked last: an op asks for its replica's index several times, and ids share the
  // replica's string.
  private String lastName;
  private int lastIndex;

  public int index(String replica) {
    if (replica == lastName && replica != null) {
      return lastIndex;
    }
    Integer i = index.get(replica);
    if (i == null) {
      i = names.size();
      names.add(replica);
      index.put(replica, i);
    }
    lastName = replica;
    lastIndex = i;
    return i;
  }

  /** The index of {@code replica}, or -1 if it was never seen. */
  public int find(String replica) {
    return index.getOrDefault(replica, -1);
  }

  /**
   * The element or object id a client names by its text form ({@code counter@replica}), with the
   * replica's name as the instance this table knows: a lookup by it then hashes and compares a
   * string whose hash is cached and that equals by identity. Parsing made two substrings and hashed
   * and compared the new replica name each time, on every list insert and move (they name their
   * element and neighbour by id). Same result and errors as {@link OpId#parse}.
   */
  public OpId parseId(String s) {
    int at = s.indexOf('@');
    // A scan, not a hash (a hash reads the name, which is what this saves): worth it while a
    // document has heard of a few replicas; past that, the plain parse costs less than the scan.
    if (at > 0 && at < 19 && names.size() <= SCANNED_NAMES) { // at most 18 digits: no overflow
      int len = s.length() - at - 1;
      for (int k = 0; k < names.size(); k++) {
        String name = names.get(k);
        if (name.length() == len && s.regionMatches(at + 1, name, 0, len)) {
          long counter = parseCounter(s, at);
          return counter > 0 ? new OpId(counter, name) : OpId.parse(s);
        }
      }
    }
    return OpId.parse(s);
  }

  private static long parseCounter(String s, int end) {
    long c = 0;
    for (int i = 0; i < end; i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1; // OpId.parse says what is wrong
      }
      c = c * 10 + (ch - '0');
    }
    return c;
  }

  public String name(int i) {
    return names.get(i);
  }

  public int size() {
    return names.size();
  }
}
