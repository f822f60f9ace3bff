package dev.chorus.crdt.type;

import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * The runs of a {@link Sequence} in sequence order, tombstones included: blocks of at most {@value
 * #MAX_RUNS} runs, each knowing its visible length, and a cursor that remembers the last visible
 * position looked up, so local editing near the previous edit costs O(1) amortised.
 *
 * <p>It counts atoms and visible atoms; it knows nothing of ids, origins or text. A run's place in
 * its block ({@link Run#slot}) is checked when asked for and looked for again in the block's array
 * when an insert or removal in front of it has shifted it: each list element is its own run, and
 * renumbering every later run of the block on each insert touched up to 64 runs.
 *
 * <p>Not thread-safe.
 */
final class RunBlocks {
  static final int MAX_RUNS = 64;

  static final class Block {
    final Run[] runs = new Run[MAX_RUNS + 1];
    int size;
    int visible;
    int ordinal;
  }

  private final ArrayList<Block> blocks = new ArrayList<>();
  private int visibleLength;
  private int atomCount;
  private int cursorBlock;
  private int cursorStart;

  int visibleLength() {
    return visibleLength;
  }

  int atomCount() {
    return atomCount;
  }

  int runCount() {
    int n = 0;
    for (Block b : blocks) {
      n += b.size;
    }
    return n;
  }

  void forEachRun(Consumer<Run> f) {
    for (Block b : blocks) {
      Run[] runs = b.runs;
      for (int i = 0; i < b.size; i++) {
        f.accept(runs[i]);
      }
    }
  }

  Run first() {
    return blocks.isEmpty() ? null : blocks.get(0).runs[0];
  }

  Run last() {
    if (blocks.isEmpty()) {
      return null;
    }
    Block b = blocks.get(blocks.size() - 1);
    return b.runs[b.size - 1];
  }

  Run next(Run r) {
    Block b = r.block;
    int i = slot(r);
    if (i + 1 < b.size) {
      return b.runs[i + 1];
    }
    return b.ordinal + 1 < blocks.size() ? blocks.get(b.ordinal + 1).runs[0] : null;
  }

  Run previous(Run r) {
    Block b = r.block;
    int i = slot(r);
    if (i > 0) {
      return b.runs[i - 1];
    }
    if (b.ordinal == 0) {
      return null;
    }
    Block p = blocks.get(b.ordinal - 1);
    return p.runs[p.size - 1];
  }

  /** Orders runs as the sequence does: block, then place in the block, in the high bits. */
  long order(Run r) {
    return ((long) r.block.ordinal << 44) | ((long) slot(r) << 36);
  }

  /** Where {@code r} is in its block: its slot if still right, else a scan of the block's array. */
  private static int slot(Run r) {
    Block b = r.block;
    Run[] runs = b.runs;
    int s = r.slot;
    if (s < b.size && runs[s] == r) {
      return s;
    }
    for (int i = 0; i < b.size; i++) {
      if (runs[i] == r) {
        r.slot = i;
        return i;
      }
    }
    throw new IllegalStateException("run not in its block");
  }

  /** Puts {@code nw} before {@code dest} (at the end if null) and counts its atoms. */
  void insertBefore(Run dest, Run nw) {
    Block b;
    int at;
    if (dest == null) {
      if (blocks.isEmpty()) {
        blocks.add(new Block());
      }
      b = blocks.get(blocks.size() - 1);
      at = b.size;
    } else {
      b = dest.block;
      at = slot(dest);
    }
    put(b, at, nw);
    atomCount += nw.len;
    if (nw.visible) {
      visibleDelta(b, nw.len);
    }
    splitIfFull(b);
  }

  /** Puts the right part of a split right after {@code r}; its atoms were counted in {@code r}. */
  void placeAfter(Run r, Run right) {
    Block b = r.block;
    put(b, slot(r) + 1, right);
    splitIfFull(b);
  }

  /** Takes {@code r} out and uncounts its atoms. */
  void remove(Run r) {
    Block b = r.block;
    int at = slot(r);
    System.arraycopy(b.runs, at + 1, b.runs, at, b.size - at - 1);
    b.runs[--b.size] = null;
    atomCount -= r.len;
    if (r.visible) {
      visibleDelta(b, -r.len);
    }
    if (b.size == 0) {
      removeBlock(b.ordinal);
    }
  }

  /** Counts {@code atoms} more atoms of {@code r} (fewer if negative): it grew or shrank. */
  void counted(Run r, int atoms) {
    atomCount += atoms;
    if (r.visible) {
      visibleDelta(r.block, atoms);
    }
  }

  /** Shows or hides the atoms of {@code r}. */
  void setVisible(Run r, boolean visible) {
    if (r.visible != visible) {
      r.visible = visible;
      visibleDelta(r.block, visible ? r.len : -r.len);
    }
  }

  private static void put(Block b, int at, Run r) {
    System.arraycopy(b.runs, at, b.runs, at + 1, b.size - at);
    b.runs[at] = r;
    b.size++;
    r.block = b;
    r.slot = at;
  }

  private void removeBlock(int at) {
    blocks.remove(at);
    renumber(at);
    if (at <= cursorBlock) {
      cursorBlock = 0;
      cursorStart = 0;
    }
  }

  private void renumber(int from) {
    for (int i = from; i < blocks.size(); i++) {
      blocks.get(i).ordinal = i;
    }
  }

  private void splitIfFull(Block b) {
    if (b.size <= MAX_RUNS) {
      return;
    }
    Block nb = new Block();
    int half = b.size / 2;
    nb.size = b.size - half;
    System.arraycopy(b.runs, half, nb.runs, 0, nb.size);
    java.util.Arrays.fill(b.runs, half, b.size, null);
    b.size = half;
    for (int i = 0; i < nb.size; i++) {
      Run r = nb.runs[i];
      r.block = nb;
      r.slot = i;
      if (r.visible) {
        nb.visible += r.len;
      }
    }
    b.visible -= nb.visible;
    // The cursor counts visible atoms before its block; moving atoms from b to the new block
    // after it changes nothing before any block but the new one.
    int at = b.ordinal + 1;
    blocks.add(at, nb);
    renumber(at);
    if (at <= cursorBlock) {
      cursorBlock++;
    }
  }

  private void visibleDelta(Block b, int delta) {
    b.visible += delta;
    visibleLength += delta;
    if (b.ordinal < cursorBlock) {
      cursorStart += delta;
    }
  }

  /** The {@code index}-th visible atom (0-based). */
  Sequence.Locate locateVisible(int index) {
    if (index < 0 || index >= visibleLength) {
      throw new IndexOutOfBoundsException(index + " not in [0, " + visibleLength + ")");
    }
    if (cursorBlock >= blocks.size()) {
      cursorBlock = 0;
      cursorStart = 0;
    }
    while (index < cursorStart) {
      cursorBlock--;
      cursorStart -= blocks.get(cursorBlock).visible;
    }
    while (index >= cursorStart + blocks.get(cursorBlock).visible) {
      cursorStart += blocks.get(cursorBlock).visible;
      cursorBlock++;
    }
    int rest = index - cursorStart;
    Block b = blocks.get(cursorBlock);
    for (int i = 0; i < b.size; i++) {
      Run r = b.runs[i];
      if (!r.visible) {
        continue;
      }
      if (rest < r.len) {
        return new Sequence.Locate(r, rest);
      }
      rest -= r.len;
    }
    throw new IllegalStateException("block visible count out of step");
  }
}
