package dev.chorus.crdt;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.Op;
import dev.chorus.crdt.type.DocState;
import dev.chorus.crdt.type.Item;
import dev.chorus.crdt.type.Materializer;
import dev.chorus.crdt.type.Obj;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/** Which path an op touched, what it did there and the value it wrote: for strict writes. */
record OpTouch(Path path, String action, Object value) {

  /** Null if the op's target is no longer known (compacted away). */
  static OpTouch of(Op op, OpId id, DocState st, Materializer mat) {
    Obj target = st.object(op.target());
    if (target == null) {
      return null;
    }
    Path at = mat.pathOf(target);
    if (op instanceof Op.MapSet s) {
      return new OpTouch(at.child(s.key()), "set", plain(s.value()));
    }
    if (op instanceof Op.MapDelete d) {
      return new OpTouch(at.child(d.key()), "delete", null);
    }
    if (op instanceof Op.Keep k) {
      return new OpTouch(at.child(k.key()), "keep", null);
    }
    if (op instanceof Op.ListInsert ins) {
      return new OpTouch(at.child(id.toString()), "insert", plain(ins.value()));
    }
    if (op instanceof Op.ListSet s) {
      return element(s.element(), st, mat, "set", plain(s.value()));
    }
    if (op instanceof Op.ListDelete d) {
      return element(d.element(), st, mat, "delete", null);
    }
    if (op instanceof Op.ListMove m) {
      return element(m.element(), st, mat, "move", null);
    }
    if (op instanceof Op.CounterAdd a) {
      return new OpTouch(at, "increment", a.delta());
    }
    return new OpTouch(at, "text", null);
  }

  private static OpTouch element(
      OpId element, DocState st, Materializer mat, String action, Object value) {
    Item item = st.item(element);
    return item == null ? null : new OpTouch(mat.pathOf(item), action, value);
  }

  private static Object plain(Content c) {
    if (c instanceof Content.Scalar s) {
      return s.value();
    }
    return switch (((Content.New) c).type()) {
      case MAP -> new LinkedHashMap<String, Object>();
      case LIST -> new ArrayList<Object>();
      case TEXT -> "";
      case COUNTER -> 0L;
    };
  }
}
