package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;

/**
 * A run of a {@link Sequence}: atoms with consecutive ids from one replica, inserted in one go
 * (typed text) or one list position. It is split only where something lands inside it.
 */
public final class Run {
  final String replica;
  long counter;
  int len;
  OpId originLeft;
  OpId originRight;
  boolean visible;

  /**
   * Where this run's code points start in the sequence's arena; -1 for positions and dropped text.
   */
  int textAt = -1;

  Position position;

  RunBlocks.Block block;

  /**
   * Where this run was in its block when last looked up. Inserts in front of it do not renumber it
   * (that was 40 % of integrating a list element): {@link RunBlocks} checks it and looks again.
   */
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

  /**
   * The id of the first atom, as the position's own instance when this run is a list position: a
   * list insert or move names its neighbour as an origin, which its op, its run and the history
   * then keep (a new id was 24 bytes more per op). Not in {@link #id}: the text paths there rely on
   * the JIT not making the id at all, which a second source of the value defeats.
   */
  OpId firstId() {
    return position != null ? position.id : id(0);
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
