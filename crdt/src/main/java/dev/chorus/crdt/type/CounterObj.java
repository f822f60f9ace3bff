package dev.chorus.crdt.type;

import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;

/** A PN-counter: the sum of every add ever applied. Adds commute, so it never conflicts. */
public final class CounterObj extends Obj {
  long value;

  CounterObj(OpId id, Entry holder, Register holderRegister) {
    super(id, holder, holderRegister);
  }

  @Override
  public Container type() {
    return Container.COUNTER;
  }
}
