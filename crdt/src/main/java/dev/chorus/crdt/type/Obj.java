package dev.chorus.crdt.type;

import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;

/**
 * A container in the document tree. Its id is the id of the op that created it; it hangs under the
 * register value ({@link #holder} in {@link #holderRegister}) that op assigned, for ever.
 */
public abstract sealed class Obj permits MapObj, ListObj, TextObj, CounterObj {
  final OpId id;
  final Entry holder;
  final Register holderRegister;

  /** The ops made directly on this container. */
  final Agg agg = new Agg();

  Obj(OpId id, Entry holder, Register holderRegister) {
    this.id = id;
    this.holder = holder;
    this.holderRegister = holderRegister;
  }

  public OpId id() {
    return id;
  }

  public abstract Container type();
}
