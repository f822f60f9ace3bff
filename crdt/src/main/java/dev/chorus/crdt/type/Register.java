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
  final List<Entry> entries = new ArrayList<>(1);

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
    return null;
  }

  void add(Entry e, UndoLog undo) {
    entries.add(e);
    if (undo != null) {
      undo.push(() -> entries.remove(e));
    }
  }
}
