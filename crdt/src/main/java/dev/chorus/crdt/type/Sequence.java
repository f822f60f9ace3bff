package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.IdRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The ordered sequence behind lists and texts: atoms with stable ids, kept in one flat order that
 * every replica reaches whatever order it receives inserts in.
 *
 * <p>Algorithm: each insert names its left and right neighbours at the time it was made ({@code
 * originLeft}, {@code originRight}) and is integrated with the YjsMod rule, which Weidner and
 * Kleppmann prove equivalent to FugueMax ("The Art of the Fugue: Minimizing Interleaving in
 * Collaborative Text Editing", 2023, §5; after Nicolaescu et al.'s YATA and Gentle's
 * reference-crdts). It never interleaves two concurrently inserted runs, forwards or backwards.
 *
 * <p>Run-length: consecutive atoms inserted by one replica in one go (typing) form one {@link Run};
 * a run is split only where something lands inside it. Runs live in blocks of at most {@value
 * #MAX_RUNS}, each knowing its visible length, and a cursor remembers the last visible position
 * looked up, so local editing near the previous edit costs O(1) amortised.
 *
 * <p>Not thread-safe. A split is undone with the change that made it (a rolled-back change leaves
 * the runs as they were).
 */
public final class Sequence {
  static final int MAX_RUNS = 64;

  /** A run of atoms with consecutive ids from one replica. */
  public static final class Run {
    final String replica;
    long counter;
    int len;
    OpId originLeft;
    OpId originRight;
    boolean visible;

    /**
     * Where this run.s code points start in the sequence's arena; -1 for positions and dropped
     * text.
     */
    int textAt = -1;

    Position position;
    Block block;

    /** Where this run is in its block's list (kept up to date, so no lookup scans a block). */
    int slot;

    Run(String replica, long counter, int len, OpId originLeft, OpId originRight) {
      this.replica = replica;
      this.counter = counter;
      this.len = len;
      this.originLeft = originLeft;
      this.originRight = originRight;
    }

    public OpId id(int offset) {
      return new OpId(counter + offset, replica);
    }

    public int length() {
      return len;
    }

    public boolean visible() {
      return visible;
    }

    public Position position() {
      return position;
    }

    public OpId originLeft() {
      return originLeft;
    }

    public OpId originRight() {
      return originRight;
    }
  }

  static final class Block {
    final ArrayList<Run> runs = new ArrayList<>();
    int visible;
    int ordinal;
  }

  /** A visible atom: its run and offset inside it. */
  public record Locate(Run run, int offset) {}

  private final ArrayList<Block> blocks = new ArrayList<>();

  private TextArena arena = new TextArena();

  private final Map<String, RunIndex> byId = new HashMap<>();

  // The replica whose ids were looked up last: typing asks for one replica's, several times an op.
  private String lastReplica;
  private RunIndex lastIds;

  /** Replica {@code replica}'s runs, or null if it has none here. */
  private RunIndex ids(String replica) {
    if (replica == lastReplica) {
      return lastIds;
    }
    RunIndex ids = byId.get(replica);
    if (ids != null) {
      lastReplica = replica;
      lastIds = ids;
    }
    return ids;
  }

  private int visibleLength;
  private int atomCount;
  private int cursorBlock;
  private int cursorStart;

  /**
   * The runs ids were last looked up in or typed into: typing asks for the atoms around the
   * previous keystroke (its run and the next) again and again, and the id index is a tree.
   */
  private Run hint;

  private Run hint2;

  public int visibleLength() {
    return visibleLength;
  }

  /** Atoms including tombstones. */
  public int atomCount() {
    return atomCount;
  }

  public int runCount() {
    int n = 0;
    for (Block b : blocks) {
      n += b.runs.size();
    }
    return n;
  }

  /** The run holding atom {@code id}, or null. */
  public Run runOf(OpId id) {
    if (holds(hint, id)) {
      return hint;
    }
    if (holds(hint2, id)) {
      Run h = hint2;
      hint2 = hint;
      hint = h;
      return h;
    }
    RunIndex ids = ids(id.replica());
    if (ids == null || id.counter() >= ids.end) {
      return null;
    }
    Run r = ids.floor(id.counter());
    if (r == null || id.counter() >= r.counter + r.len) {
      return null;
    }
    hint2 = hint;
    hint = r;
    return r;
  }

  private static boolean holds(Run r, OpId id) {
    return r != null
        && id.counter() >= r.counter
        && id.counter() < r.counter + r.len
        && r.replica.equals(id.replica());
  }

  public boolean contains(OpId id) {
    return runOf(id) != null;
  }

  public Run first() {
    return blocks.isEmpty() ? null : blocks.get(0).runs.get(0);
  }

  public Run next(Run r) {
    Block b = r.block;
    int i = r.slot;
    if (i + 1 < b.runs.size()) {
      return b.runs.get(i + 1);
    }
    return b.ordinal + 1 < blocks.size() ? blocks.get(b.ordinal + 1).runs.get(0) : null;
  }

  /** Every run in sequence order, tombstones included. */
  public void forEachRun(Consumer<Run> f) {
    for (Block b : blocks) {
      for (Run r : b.runs) {
        f.accept(r);
      }
    }
  }

  /** The visible text, for text sequences. */
  public String text() {
    StringBuilder sb = new StringBuilder(visibleLength);
    forEachRun(
        r -> {
          if (r.visible) {
            arena.appendTo(sb, r.textAt, r.len);
          }
        });
    return sb.toString();
  }

  /** The text of {@code r}; null for list positions and for dropped tombstone text. */
  public String textOf(Run r) {
    return r.textAt < 0 ? null : arena.substring(r.textAt, r.len);
  }

  /** Appends a run as a snapshot describes it (snapshot loading only: no integration). */
  public void appendRun(
      OpId id, int len, OpId originLeft, OpId originRight, boolean visible, String text) {
    if (len <= 0
        || (text != null && text.codePointCount(0, text.length()) != len)
        || runOf(id) != null) {
      throw new IllegalStateException("bad or duplicate run " + id);
    }
    Run r = new Run(id.replica(), id.counter(), len, originLeft, originRight);
    r.visible = visible;
    if (text != null) {
      r.textAt = arena.length();
      arena.append(text);
    }
    insertBefore(null, r, null);
  }

  // ---- integration ------------------------------------------------------------------------

  /** Integrates a new run of text (remote or local), one atom per code point, and returns it. */
  public Run insertText(OpId id, OpId originLeft, OpId originRight, String text, UndoLog undo) {
    int at = arena.length();
    int len = arena.append(text);
    Run r = new Run(id.replica(), id.counter(), len, originLeft, originRight);
    r.visible = true;
    r.textAt = at;
    if (undo != null) {
      undo.push(() -> arena.truncate(at));
    }
    return integrate(r, undo);
  }

  /** Integrates a new list position (one atom) and returns its run. */
  public Run insertPosition(Position p, OpId originLeft, OpId originRight, UndoLog undo) {
    Run r = new Run(p.id.replica(), p.id.counter(), 1, originLeft, originRight);
    r.visible = true;
    r.position = p;
    p.run = r;
    return integrate(r, undo);
  }

  private Run integrate(Run nw, UndoLog undo) {
    if (runOf(nw.id(0)) != null) {
      throw new IllegalStateException("atom " + nw.id(0) + " already in the sequence");
    }
    Run leftRun = nw.originLeft == null ? null : runEndingAt(nw.originLeft, undo);
    Run rightRun = nw.originRight == null ? null : runStartingAt(nw.originRight, undo);
    long left = pos(nw.originLeft, -1);
    long right = pos(nw.originRight, Long.MAX_VALUE);
    Run cursor = leftRun == null ? first() : next(leftRun);
    Run dest = cursor;
    boolean scanning = false;
    while (true) {
      if (!scanning) {
        dest = cursor;
      }
      if (cursor == null || cursor == rightRun) {
        break;
      }
      long oleft = pos(cursor.originLeft, -1);
      if (oleft < left) {
        break;
      }
      if (oleft == left) {
        long oright = pos(cursor.originRight, Long.MAX_VALUE);
        if (oright < right) {
          scanning = true;
        } else if (oright == right) {
          if (nw.id(0).compareTo(cursor.id(0)) < 0) {
            break;
          }
          scanning = false;
        } else {
          scanning = false;
        }
      }
      cursor = next(cursor);
    }
    Run before = dest == null ? last() : previous(dest);
    if (before != null && before == leftRun && canExtend(before, nw)) {
      extend(before, nw, undo);
      return before;
    }
    insertBefore(dest, nw, undo);
    return nw;
  }

  /** Typing: a run continues when the new atoms are the next ids right after its end. */
  private boolean canExtend(Run r, Run nw) {
    return r.textAt >= 0
        && nw.textAt == r.textAt + r.len
        && r.visible
        && r.replica.equals(nw.replica)
        && r.counter + r.len == nw.counter
        && Objects.equals(r.originRight, nw.originRight)
        && nw.originLeft != null
        && nw.originLeft.counter() == r.counter + r.len - 1
        && nw.originLeft.replica().equals(r.replica);
  }

  private void extend(Run r, Run nw, UndoLog undo) {
    int oldLen = r.len;
    r.len += nw.len;
    RunIndex ids = ids(r.replica);
    ids.end = Math.max(ids.end, r.counter + r.len);
    visibleDelta(r.block, nw.len);
    atomCount += nw.len;
    if (undo != null) {
      undo.push(
          () -> {
            r.len = oldLen;
            visibleDelta(r.block, -nw.len);
            atomCount -= nw.len;
          });
    }
  }

  /** The last run, tombstone or not; null if empty. */
  public Run last() {
    if (blocks.isEmpty()) {
      return null;
    }
    ArrayList<Run> runs = blocks.get(blocks.size() - 1).runs;
    return runs.get(runs.size() - 1);
  }

  private Run previous(Run r) {
    Block b = r.block;
    int i = r.slot;
    if (i > 0) {
      return b.runs.get(i - 1);
    }
    if (b.ordinal == 0) {
      return null;
    }
    ArrayList<Run> runs = blocks.get(b.ordinal - 1).runs;
    return runs.get(runs.size() - 1);
  }

  /** A comparable position of atom {@code id}: block, run index, offset. */
  private long pos(OpId id, long ifNull) {
    if (id == null) {
      return ifNull;
    }
    Run r = runOf(id);
    if (r == null) {
      throw new IllegalStateException("unknown origin " + id);
    }
    long offset = id.counter() - r.counter;
    return ((long) r.block.ordinal << 44) | ((long) r.slot << 36) | offset;
  }

  private Run runStartingAt(OpId id, UndoLog undo) {
    Run r = runOf(id);
    if (r == null) {
      throw new IllegalStateException("unknown origin " + id);
    }
    int offset = (int) (id.counter() - r.counter);
    return offset == 0 ? r : split(r, offset, undo);
  }

  private Run runEndingAt(OpId id, UndoLog undo) {
    Run r = runOf(id);
    if (r == null) {
      throw new IllegalStateException("unknown origin " + id);
    }
    int offset = (int) (id.counter() - r.counter);
    if (offset < r.len - 1) {
      split(r, offset + 1, undo);
    }
    return r;
  }

  /**
   * Splits {@code r} before its atom {@code offset}; returns the right part. Undone with the rest
   * of its change: a rolled-back edit that typed a run and then split it (typing inside it) would
   * otherwise remove the run's left part only, and leave the right part's chars in the text.
   */
  private Run split(Run r, int offset, UndoLog undo) {
    Run right =
        new Run(
            r.replica,
            r.counter + offset,
            r.len - offset,
            new OpId(r.counter + offset - 1, r.replica),
            r.originRight);
    right.visible = r.visible;
    right.textAt = r.textAt < 0 ? -1 : r.textAt + offset;
    r.len = offset;
    Block b = r.block;
    b.runs.add(r.slot + 1, right);
    reslot(b, r.slot + 1);
    right.block = b;
    ids(r.replica).put(right);
    splitBlockIfFull(b);
    if (undo != null) {
      undo.push(() -> unsplit(r, right));
    }
    return right;
  }

  /**
   * Joins {@code right} back to {@code r} (undoing {@link #split}): everything done after the split
   * is undone by then, so the two are neighbours again, equally visible.
   */
  private void unsplit(Run r, Run right) {
    remove(right);
    r.len += right.len;
    atomCount += right.len;
    if (r.visible) {
      visibleDelta(r.block, right.len);
    }
  }

  private void insertBefore(Run dest, Run nw, UndoLog undo) {
    Block b;
    if (dest == null) {
      if (blocks.isEmpty()) {
        addBlock(0, new Block());
      }
      b = blocks.get(blocks.size() - 1);
      b.runs.add(nw);
      nw.slot = b.runs.size() - 1;
    } else {
      b = dest.block;
      int at = dest.slot;
      b.runs.add(at, nw);
      reslot(b, at);
    }
    nw.block = b;
    hint = nw;
    RunIndex ids = ids(nw.replica);
    if (ids == null) {
      ids = new RunIndex();
      byId.put(nw.replica, ids);
    }
    ids.put(nw);
    ids.end = Math.max(ids.end, nw.counter + nw.len);
    atomCount += nw.len;
    if (nw.visible) {
      visibleDelta(b, nw.len);
    }
    splitBlockIfFull(b);
    if (undo != null) {
      undo.push(() -> remove(nw));
    }
  }

  private void remove(Run r) {
    Block b = r.block;
    b.runs.remove(r.slot);
    reslot(b, r.slot);
    if (hint == r || hint2 == r) {
      hint = null;
      hint2 = null;
    }
    ids(r.replica).remove(r);
    atomCount -= r.len;
    if (r.visible) {
      visibleDelta(b, -r.len);
    }
    if (b.runs.isEmpty()) {
      removeBlock(b.ordinal);
    }
  }

  // ---- blocks and the cursor ---------------------------------------------------------------

  private void addBlock(int at, Block b) {
    blocks.add(at, b);
    renumber(at);
    if (blocks.size() > 1 && at <= cursorBlock) {
      cursorBlock++;
      cursorStart += b.visible;
    }
  }

  private void removeBlock(int at) {
    blocks.remove(at);
    renumber(at);
    if (at <= cursorBlock) {
      cursorBlock = 0;
      cursorStart = 0;
    }
  }

  private static void reslot(Block b, int from) {
    ArrayList<Run> runs = b.runs;
    for (int i = from; i < runs.size(); i++) {
      runs.get(i).slot = i;
    }
  }

  private void renumber(int from) {
    for (int i = from; i < blocks.size(); i++) {
      blocks.get(i).ordinal = i;
    }
  }

  private void splitBlockIfFull(Block b) {
    if (b.runs.size() <= MAX_RUNS) {
      return;
    }
    Block nb = new Block();
    List<Run> tail = b.runs.subList(b.runs.size() / 2, b.runs.size());
    nb.runs.addAll(tail);
    tail.clear();
    for (Run r : nb.runs) {
      r.block = nb;
      if (r.visible) {
        nb.visible += r.len;
      }
    }
    reslot(nb, 0);
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
  public Locate locateVisible(int index) {
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
    for (Run r : blocks.get(cursorBlock).runs) {
      if (!r.visible) {
        continue;
      }
      if (rest < r.len) {
        return new Locate(r, rest);
      }
      rest -= r.len;
    }
    throw new IllegalStateException("block visible count out of step");
  }

  /**
   * The atom right after {@code (run, offset)}, visible or not; null at the end. Both runs become
   * the lookup hints: an insert between the two names them as its origins next.
   */
  public OpId atomAfter(Run run, int offset) {
    hint = run;
    if (offset + 1 < run.len) {
      return run.id(offset + 1);
    }
    Run n = next(run);
    if (n == null) {
      return null;
    }
    hint2 = n;
    return n.id(0);
  }

  /** The ids of {@code count} visible atoms from visible index {@code index}, as ranges. */
  public List<IdRange> visibleRanges(int index, int count) {
    if (count == 0) {
      return List.of();
    }
    Locate at = locateVisible(index);
    Run r = at.run();
    int offset = at.offset();
    int left = count;
    // the delete op made of these ranges looks its first atom up next
    hint2 = hint;
    hint = r;
    // Most deletes (a keystroke, a selection in one run) are one range: an immutable one-element
    // list, which the op keeps as it is.
    IdRange first = null;
    List<IdRange> more = null;
    while (left > 0) {
      if (r == null) {
        throw new IndexOutOfBoundsException("range runs past the end");
      }
      if (r.visible) {
        int take = Math.min(r.len - offset, left);
        IdRange range = new IdRange(r.id(offset), take);
        if (first == null) {
          first = range;
        } else {
          if (more == null) {
            more = new ArrayList<>();
            more.add(first);
          }
          more.add(range);
        }
        left -= take;
      }
      r = next(r);
      offset = 0;
    }
    return more != null ? more : List.of(first);
  }

  // ---- deletion ----------------------------------------------------------------------------

  /** Hides the atoms of {@code range} (already hidden atoms stay hidden). */
  public void hide(IdRange range, UndoLog undo) {
    long counter = range.start().counter();
    long end = counter + range.length();
    String replica = range.start().replica();
    while (counter < end) {
      Run r = runStartingAt(new OpId(counter, replica), undo);
      if (counter + r.len > end) {
        split(r, (int) (end - counter), undo);
      }
      if (r.visible) {
        r.visible = false;
        visibleDelta(r.block, -r.len);
        if (undo != null) {
          undo.push(
              () -> {
                r.visible = true;
                visibleDelta(r.block, r.len);
              });
        }
      }
      counter += r.len;
    }
  }

  /** Whether every atom of {@code range} is in this sequence. */
  public boolean containsAll(IdRange range) {
    long counter = range.start().counter();
    long end = counter + range.length();
    while (counter < end) {
      Run r = runOf(new OpId(counter, range.start().replica()));
      if (r == null) {
        return false;
      }
      counter = r.counter + r.len;
    }
    return true;
  }

  /** Drops the characters of hidden runs (their ids and origins stay, so ops can still refer). */
  public int dropTombstoneText() {
    int[] dropped = {0};
    TextArena kept = new TextArena();
    forEachRun(
        r -> {
          if (r.textAt < 0) {
            return;
          }
          if (!r.visible) {
            dropped[0] += r.len;
            r.textAt = -1;
          } else {
            int at = kept.length();
            arena.copyTo(kept, r.textAt, r.len);
            r.textAt = at;
          }
        });
    arena = kept;
    return dropped[0];
  }
}
