package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;

/** A place in a list's sequence that an element was inserted or moved to. */
public final class Position {
  final OpId id;
  final Item item;
  final ListObj list;

  Position(OpId id, Item item, ListObj list) {
    this.id = id;
    this.item = item;
    this.list = list;
  }
}
