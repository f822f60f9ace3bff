package dev.chorus.crdt.type;

import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;

/** A character sequence (task descriptions): a run-length {@link Sequence} of chars. */
public final class TextObj extends Obj {
  final Sequence seq = new Sequence();

  TextObj(OpId id, Entry holder, Register holderRegister) {
    super(id, holder, holderRegister);
  }

  public Sequence sequence() {
    return seq;
  }

  @Override
  public Container type() {
    return Container.TEXT;
  }
}
