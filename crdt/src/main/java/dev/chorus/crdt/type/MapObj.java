package dev.chorus.crdt.type;

import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;
import java.util.TreeMap;

/** A map with string keys; each key is a multi-value register. Keys iterate sorted. */
public final class MapObj extends Obj {
  final TreeMap<String, Register> registers = new TreeMap<>();

  MapObj(OpId id, Entry holder, Register holderRegister) {
    super(id, holder, holderRegister);
  }

  Register register(String key, UndoLog undo) {
    Register r = registers.get(key);
    if (r == null) {
      r = new Register(this, key, null, false);
      registers.put(key, r);
      if (undo != null) {
        undo.push(() -> registers.remove(key));
      }
    }
    return r;
  }

  @Override
  public Container type() {
    return Container.MAP;
  }
}
