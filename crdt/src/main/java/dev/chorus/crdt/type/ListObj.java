package dev.chorus.crdt.type;

import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;

/**
 * A list of elements with stable ids. The sequence holds positions; an element shows at the
 * position its position register currently points to (see {@link Item}).
 */
public final class ListObj extends Obj {
  final Sequence seq = new Sequence();

  ListObj(OpId id, Entry holder, Register holderRegister) {
    super(id, holder, holderRegister);
  }

  @Override
  public Container type() {
    return Container.LIST;
  }
}
