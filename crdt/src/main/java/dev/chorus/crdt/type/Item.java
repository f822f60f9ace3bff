package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;

/**
 * A list element: a value register and a position register (after Kleppmann, "Moving elements in
 * list CRDTs", 2020). It shows once, at its live position with the greatest id, in whichever list
 * that position is; moving it adds a position and retires the old one, so it is never doubled or
 * lost, and concurrent moves leave several live positions: a move-vs-move conflict.
 */
public final class Item {
  final OpId id;
  final Register value;
  final Register positions;

  /**
   * Deletes that named positions compaction has since dropped (retired by a move). Kept because a
   * delete-vs-edit conflict they opened stays open until someone settles it.
   */
  java.util.List<Retirement> keptDeletes;

  /** The ops made on the element itself (insert, set, move, keep). */
  final Agg agg = new Agg();

  Item(OpId id) {
    this.id = id;
    this.value = new Register(null, null, this, false);
    this.positions = new Register(null, null, this, true);
  }

  public OpId id() {
    return id;
  }
}
