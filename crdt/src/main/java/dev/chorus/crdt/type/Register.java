package dev.chorus.crdt.type;

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

  /** Values that may be live: every scans these. */
  final List<Entry> entries = new ArrayList<>(1);

  /**
   * Scalars already retired: dead for good (nothing can edit inside a scalar), so they are kept out
   * of every scan — a key written 10,000 times costs what a fresh one does.
   */
  List<Entry> retired;

  Register(MapObj map, String key, Item item, boolean positions) {
    this.map = map;
    this.key = key;
    this.item = item;
    this.positions = positions;
  }

  Entry find(dev.chorus.crdt.clock.OpId id) {
    for (Entry e : entries) {
      if (e.id.equals(id)) {
        return e;
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

  /** Moves a retired scalar out of the scanned values. */
  void retireForGood(Entry e, UndoLog undo) {
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

  void add(Entry e, UndoLog undo) {
    entries.add(e);
    if (undo != null) {
      undo.push(() -> entries.remove(e));
    }
  }
}
