package dev.chorus.crdt.type;

import java.util.Arrays;

/**
 * One replica's runs in a {@link Sequence}, by first counter: the id index.
 *
 * <p>A sorted array cut into blocks of at most {@link #BLOCK} runs, with each block's first counter
 * in a top array: a lookup is two binary searches over plain {@code long}s. A replica's counters
 * only grow, so the runs it types, inserts or moves to are appended to the last block; the right
 * part of a split (or a run of a change integrated late) goes in the middle of one block, which is
 * cut in two when full. (A {@code TreeMap<Long, Run>} held those before: an entry and a boxed
 * counter, 56 bytes kept alive per split part — automerge-paper's replayed document kept 3 MB of
 * its 45 in them, which every young collection copied.)
 */
final class RunIndex {
  /** At most this many runs in a block. */
  static final int BLOCK = 64;

  // block b: firsts[b] = keys[b][0], its runs[b][0 .. counts[b])
  private long[] firsts = new long[1];
  private long[][] keys = {new long[8]};
  private Run[][] runs = {new Run[8]};
  private int[] counts = new int[1];
  private int blocks = 1;

  /**
   * Past every counter of this replica here (or once here: an undone insert leaves it high), so a
   * new atom typed after the others needs no lookup to be known as new.
   */
  long end;

  void put(Run r) {
    long k = r.counter;
    int b = blocks - 1;
    int n = counts[b];
    if (n == 0 || k > keys[b][n - 1]) {
      if (n == BLOCK) {
        b = newLastBlock();
        n = 0;
      }
      insert(b, n, r);
      return;
    }
    b = Math.max(0, blockOf(k));
    n = counts[b];
    int at = Arrays.binarySearch(keys[b], 0, n, k);
    if (at >= 0) {
      runs[b][at] = r;
      return;
    }
    at = -at - 1;
    if (n == BLOCK) {
      cut(b);
      if (at > BLOCK / 2) {
        at -= BLOCK / 2;
        b++;
      }
    }
    insert(b, at, r);
  }

  private void insert(int b, int at, Run r) {
    int n = counts[b];
    if (n == keys[b].length) {
      keys[b] = Arrays.copyOf(keys[b], Math.min(BLOCK, n * 2));
      runs[b] = Arrays.copyOf(runs[b], Math.min(BLOCK, n * 2));
    }
    System.arraycopy(keys[b], at, keys[b], at + 1, n - at);
    System.arraycopy(runs[b], at, runs[b], at + 1, n - at);
    keys[b][at] = r.counter;
    runs[b][at] = r;
    counts[b] = n + 1;
    firsts[b] = keys[b][0];
  }

  void remove(Run r) {
    int b = blockOf(r.counter);
    if (b < 0) {
      return;
    }
    int n = counts[b];
    int at = Arrays.binarySearch(keys[b], 0, n, r.counter);
    if (at < 0 || runs[b][at] != r) {
      return;
    }
    System.arraycopy(keys[b], at + 1, keys[b], at, n - at - 1);
    System.arraycopy(runs[b], at + 1, runs[b], at, n - at - 1);
    runs[b][n - 1] = null;
    counts[b] = n - 1;
    if (n > 1) {
      firsts[b] = keys[b][0];
    } else if (blocks > 1) {
      dropBlock(b);
    }
  }

  /** The run with the greatest first counter at or below {@code counter}, or null. */
  Run floor(long counter) {
    int b = blockOf(counter);
    if (b < 0) {
      return null;
    }
    int at = Arrays.binarySearch(keys[b], 0, counts[b], counter);
    return runs[b][at >= 0 ? at : -at - 2];
  }

  /** The block whose first counter is the greatest at or below {@code k}; -1 if none. */
  private int blockOf(long k) {
    int last = blocks - 1;
    if (k >= firsts[last]) {
      return counts[last] == 0 ? -1 : last;
    }
    int at = Arrays.binarySearch(firsts, 0, last, k);
    return at >= 0 ? at : -at - 2;
  }

  /** Appends an empty block (the last one is full and a run goes after all of it). */
  private int newLastBlock() {
    openBlock(blocks);
    keys[blocks - 1] = new long[BLOCK];
    runs[blocks - 1] = new Run[BLOCK];
    return blocks - 1;
  }

  /** Cuts full block {@code b} into two halves, the second becoming block {@code b + 1}. */
  private void cut(int b) {
    openBlock(b + 1);
    int half = BLOCK / 2;
    keys[b + 1] = Arrays.copyOfRange(keys[b], half, BLOCK);
    runs[b + 1] = Arrays.copyOfRange(runs[b], half, BLOCK);
    counts[b + 1] = BLOCK - half;
    firsts[b + 1] = keys[b + 1][0];
    Arrays.fill(runs[b], half, BLOCK, null);
    counts[b] = half;
  }

  /** Makes room for a block at {@code b}, moving the blocks from there one up. */
  private void openBlock(int b) {
    if (blocks == firsts.length) {
      int n = blocks * 2;
      firsts = Arrays.copyOf(firsts, n);
      keys = Arrays.copyOf(keys, n);
      runs = Arrays.copyOf(runs, n);
      counts = Arrays.copyOf(counts, n);
    }
    System.arraycopy(firsts, b, firsts, b + 1, blocks - b);
    System.arraycopy(keys, b, keys, b + 1, blocks - b);
    System.arraycopy(runs, b, runs, b + 1, blocks - b);
    System.arraycopy(counts, b, counts, b + 1, blocks - b);
    counts[b] = 0;
    blocks++;
  }

  private void dropBlock(int b) {
    System.arraycopy(firsts, b + 1, firsts, b, blocks - b - 1);
    System.arraycopy(keys, b + 1, keys, b, blocks - b - 1);
    System.arraycopy(runs, b + 1, runs, b, blocks - b - 1);
    System.arraycopy(counts, b + 1, counts, b, blocks - b - 1);
    blocks--;
    keys[blocks] = null;
    runs[blocks] = null;
  }
}
