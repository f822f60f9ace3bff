package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;

/** A place in a list's sequence that an element was inserted or moved to. */
public final class Position {
  final OpId id;
  final Item item;
  final ListObj list;

  /**
   * Its run in the list's sequence (a position is one atom, so its run is never split or extended):
   * an insert or move next to it starts from here instead of looking its id up.
   */
  Run run;

  Position(OpId id, Item item, ListObj list) {
    this.id = id;
    this.item = item;
    this.list = list;
  }
}
