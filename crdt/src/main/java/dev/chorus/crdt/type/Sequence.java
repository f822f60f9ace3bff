package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.IdRange;
import java.util.ArrayList;
import java.util.List;
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
 * a run is split only where something lands inside it. The runs' order and visible counts are
 * {@link RunBlocks}; the runs by id (a {@link RunIndex} per replica, and lookup hints) are {@link
 * RunIds}.
 *
 * <p>Not thread-safe. A split is undone with the change that made it (a rolled-back change leaves
 * the runs as they were).
 */
public final class Sequence {
  /** A visible atom: its run and offset inside it. */
  public record Locate(Run run, int offset) {}

  private final RunBlocks order = new RunBlocks();

  private TextArena arena = new TextArena();

  private final RunIds ids = new RunIds();

  public int visibleLength() {
    return order.visibleLength();
  }

  /** Atoms including tombstones. */
  public int atomCount() {
    return order.atomCount();
  }

  public int runCount() {
    return order.runCount();
  }

  /** The run holding atom {@code id}, or null. */
  public Run runOf(OpId id) {
    return ids.runOf(id);
  }

  public boolean contains(OpId id) {
    return runOf(id) != null;
  }

  public Run first() {
    return order.first();
  }

  public Run next(Run r) {
    return order.next(r);
  }

  /** Every run in sequence order, tombstones included. */
  public void forEachRun(Consumer<Run> f) {
    order.forEachRun(f);
  }

  /** The visible text, for text sequences. */
  public String text() {
    StringBuilder sb = new StringBuilder(order.visibleLength());
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
    // The chars are taken back with the run by its inverse (extend, insertBefore), not by one of
    // their own: one inverse fewer per keystroke (undo logging was a tenth of a trace replay).
    try {
      return integrate(r, undo);
    } catch (RuntimeException e) {
      arena.truncate(at); // integrate failed before it logged any inverse of the run
      throw e;
    }
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
      cursor = order.next(cursor);
    }
    Run before = dest == null ? last() : order.previous(dest);
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
    ids.grew(r);
    order.counted(r, nw.len);
    if (undo != null) {
      undo.push(
          () -> {
            r.len = oldLen;
            order.counted(r, -nw.len);
            arena.truncate(nw.textAt);
          });
    }
  }

  /** The last run, tombstone or not; null if empty. */
  public Run last() {
    return order.last();
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
    return order.order(r) | offset;
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
    order.placeAfter(r, right);
    ids.addSplit(right);
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
    order.counted(r, right.len);
  }

  private void insertBefore(Run dest, Run nw, UndoLog undo) {
    order.insertBefore(dest, nw);
    ids.setHint(nw);
    ids.add(nw);
    if (undo != null) {
      undo.push(
          () -> {
            remove(nw);
            if (nw.textAt >= 0) {
              arena.truncate(nw.textAt);
            }
          });
    }
  }

  private void remove(Run r) {
    order.remove(r);
    ids.remove(r);
  }

  /** The {@code index}-th visible atom (0-based). */
  public Locate locateVisible(int index) {
    return order.locateVisible(index);
  }

  /**
   * The atom right after {@code (run, offset)}, visible or not; null at the end. Both runs become
   * the lookup hints: an insert between the two names them as its origins next.
   */
  public OpId atomAfter(Run run, int offset) {
    ids.setHint(run);
    if (offset + 1 < run.len) {
      return run.id(offset + 1);
    }
    Run n = hintedNext(run);
    return n == null ? null : n.id(0);
  }

  /** {@link #atomAfter} a list position: the next one's id, as its own instance. */
  public OpId positionAfter(Run run) {
    ids.setHint(run);
    Run n = hintedNext(run);
    return n == null ? null : n.firstId();
  }

  private Run hintedNext(Run run) {
    Run n = order.next(run);
    if (n != null) {
      ids.setSecondHint(n);
    }
    return n;
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
    ids.pushHint(r);
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
      r = order.next(r);
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
        order.setVisible(r, false);
        if (undo != null) {
          undo.push(() -> order.setVisible(r, true));
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
