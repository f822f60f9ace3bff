package dev.chorus.crdt.type;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One replica's runs in a {@link Sequence}, by first counter: the id index.
 *
 * <p>A replica's counters only grow, so the runs it types, inserts or moves to start above all of
 * its runs before them: those are appended to two sorted arrays and found by binary search. Only a
 * run that starts inside that range — the right part of a split, a run of a change integrated late
 * — goes into a tree. (All in a tree, every list insert rebalanced it at its right end: a fifth of
 * integrating a list element.)
 */
final class RunIndex {
  private long[] starts = new long[8];
  private Run[] tail = new Run[8];
  private int size;
  private final TreeMap<Long, Run> middle = new TreeMap<>();

  /**
   * Past every counter of this replica here (or once here: an undone insert leaves it high), so a
   * new atom typed after the others needs no lookup to be known as new.
   */
  long end;

  void put(Run r) {
    if (size == 0 || r.counter > starts[size - 1]) {
      if (size == starts.length) {
        starts = Arrays.copyOf(starts, size * 2);
        tail = Arrays.copyOf(tail, size * 2);
      }
      starts[size] = r.counter;
      tail[size++] = r;
    } else {
      middle.put(r.counter, r);
    }
  }

  void remove(Run r) {
    int at = Arrays.binarySearch(starts, 0, size, r.counter);
    if (at >= 0 && tail[at] == r) {
      System.arraycopy(starts, at + 1, starts, at, size - at - 1);
      System.arraycopy(tail, at + 1, tail, at, size - at - 1);
      tail[--size] = null;
    } else {
      middle.remove(r.counter);
    }
  }

  /** The run with the greatest first counter at or below {@code counter}, or null. */
  Run floor(long counter) {
    int at = Arrays.binarySearch(starts, 0, size, counter);
    Run a = at >= 0 ? tail[at] : -at - 2 >= 0 ? tail[-at - 2] : null;
    if (middle.isEmpty()) {
      return a;
    }
    Map.Entry<Long, Run> e = middle.floorEntry(counter);
    Run b = e == null ? null : e.getValue();
    return a == null ? b : b == null || a.counter >= b.counter ? a : b;
  }
}
