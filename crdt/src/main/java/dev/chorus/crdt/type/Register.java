package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-value register: every assigned value stays until an op that had seen it retires it. More
 * than one live value is a conflict; the display winner is the live value with the greatest op id.
 *
 * <p>It is a map entry ({@code map} + {@code key}), an element's value ({@code item}, {@code
 * positions == false}) or an element's position ({@code item}, {@code positions == true}).
 */
public final class Register {
  final MapObj map;
  final String key;
  final Item item;
  final boolean positions;

  /**
   * Values that may be live, and in a position register every position the element ever had, in the
   * order they came (a writer with an older view may name any of them).
   */
  final List<Entry> entries = new EntryList();

  /**
   * Scalars already retired: dead for good (nothing can edit inside a scalar), so they are kept out
   * of every scan — a key written 10,000 times costs what a fresh one does.
   */
  List<Entry> retired;

  /**
   * Position registers only: the positions a look at the current state needs, which is all of
   * {@code entries} but those retired by moves alone. Those are dead for good (the element lives on
   * where the move put it) and every move leaves one behind, so an element moved 10,000 times would
   * otherwise cost 10,000 positions on every op that names it. The live positions are in the order
   * of {@code entries}.
   *
   * <p>Null until a move retires one of the positions (until then it would equal {@code entries}):
   * an element never moved keeps no second list alive, 48 bytes of every list insert.
   */
  List<Entry> current;

  Register(MapObj map, String key, Item item, boolean positions) {
    this.map = map;
    this.key = key;
    this.item = item;
    this.positions = positions;
  }

  /** The values every look at the current state scans: none of them is dead for good. */
  List<Entry> scanned() {
    return current != null ? current : entries;
  }

  Entry find(OpId id) {
    // Indexed, here and in the other scans of a register on every op: a register's lists are of
    // two classes, so the for-each's iterator was not inlined and made anew (a tenth of the bytes
    // a list op allocated).
    List<Entry> scanned = scanned();
    for (int i = 0; i < scanned.size(); i++) {
      if (scanned.get(i).id.equals(id)) {
        return scanned.get(i);
      }
    }
    if (current != null) {
      // a position moved away, named by a writer that had not seen the move
      for (int i = entries.size() - 1; i >= 0; i--) {
        if (entries.get(i).id.equals(id)) {
          return entries.get(i);
        }
      }
    }
    if (retired != null) {
      for (int i = retired.size() - 1; i >= 0; i--) {
        if (retired.get(i).id.equals(id)) {
          return retired.get(i);
        }
      }
    }
    return null;
  }

  /** Every value, retired for good or not. */
  List<Entry> all() {
    if (retired == null || retired.isEmpty()) {
      return entries;
    }
    List<Entry> all = new ArrayList<>(entries);
    all.addAll(retired);
    return all;
  }

  /** A new value. */
  void add(Entry e, UndoLog undo) {
    entries.add(e);
    if (current != null) {
      current.add(e);
    }
    if (undo != null) {
      undo.push(
          () -> {
            entries.remove(e);
            if (current != null) {
              current.remove(e);
            }
          });
    }
  }

  /** A value as a snapshot holds it, retirements included. */
  void load(Entry e) {
    entries.add(e);
    if (current != null) {
      current.add(e);
    }
    if (e.retiredBy != null) {
      settleRetired(e, null);
    }
  }

  /** After {@code e} got one more retirement: moves it out of the scans if it is dead for good. */
  void settleRetired(Entry e, UndoLog undo) {
    if (!positions) {
      if (e.child == null) {
        retireForGood(e, undo);
      }
      return;
    }
    boolean movedAway = true;
    for (Retirement r : e.retiredBy) {
      // a delete that also named it stays visible: its delete-vs-edit conflict can still open
      movedAway &= r.kind() == Retirement.Kind.MOVE;
    }
    int at = scanned().indexOf(e);
    if (movedAway && at >= 0) {
      if (current == null) {
        current = new ArrayList<>(entries);
        if (undo != null) {
          undo.push(() -> current = null);
        }
      }
      current.remove(at);
      if (undo != null) {
        undo.push(() -> current.add(at, e));
      }
    } else if (!movedAway && at < 0) {
      current.add(e);
      if (undo != null) {
        undo.push(() -> current.remove(current.size() - 1));
      }
    }
  }

  /** Compaction: {@code e} is gone for good. */
  void drop(Entry e) {
    entries.remove(e);
    if (current != null) {
      current.remove(e);
    }
  }

  /** Moves a retired scalar out of the scanned values. */
  private void retireForGood(Entry e, UndoLog undo) {
    if (!entries.remove(e)) {
      return;
    }
    if (retired == null) {
      retired = new ArrayList<>();
    }
    retired.add(e);
    if (undo != null) {
      undo.push(
          () -> {
            retired.remove(retired.size() - 1);
            entries.add(e);
          });
    }
  }
}
