package dev.chorus.crdt.type;

import dev.chorus.crdt.Path;
import dev.chorus.crdt.Value;
import dev.chorus.crdt.op.Content;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads the document as it shows now: display winners, elements at their winning positions. */
public final class Materializer {
  private final DocState st;
  private final Liveness lv;

  public Materializer(DocState st) {
    this.st = st;
    this.lv = st.liveness;
  }

  public Value read() {
    return read(st.root, new IdentityHashMap<>());
  }

  /** The value shown at {@code obj}. */
  public Value read(Obj obj) {
    return read(obj, new IdentityHashMap<>());
  }

  public Value valueOf(Entry e) {
    return valueOf(e, new IdentityHashMap<>());
  }

  private Value valueOf(Entry e, Map<Object, Boolean> seen) {
    if (e.child != null) {
      return read(e.child, seen);
    }
    return new Value.Scalar(((Content.Scalar) e.content).value());
  }

  private Value read(Obj obj, Map<Object, Boolean> seen) {
    if (obj instanceof MapObj m) {
      TreeMap<String, Value> out = new TreeMap<>();
      for (Map.Entry<String, Register> r : m.registers.entrySet()) {
        Entry w = lv.winner(r.getValue());
        if (w != null) {
          out.put(r.getKey(), valueOf(w, seen));
        }
      }
      return new Value.MapValue(out);
    }
    if (obj instanceof ListObj l) {
      List<Value.Element> out = new ArrayList<>();
      for (Item item : shownItems(l)) {
        // An element can only be met twice through a concurrent move cycle; show it once.
        if (seen.put(item, Boolean.TRUE) == null) {
          Entry w = lv.winner(item.value);
          out.add(
              new Value.Element(
                  item.id.toString(), w == null ? new Value.Scalar(null) : valueOf(w, seen)));
        }
      }
      return new Value.ListValue(out);
    }
    if (obj instanceof TextObj t) {
      return new Value.TextValue(t.seq.text());
    }
    return new Value.CounterValue(((CounterObj) obj).value);
  }

  /**
   * The value shown at {@code path}, reading only what lies on the path and the subtree under it (a
   * whole {@link #read()} costs the entire document); null if nothing shows there. Agrees with
   * looking {@code path} up in {@link #read()}.
   */
  public Value at(Path path) {
    List<String> segs = path.segments();
    if (segs.isEmpty()) {
      return read();
    }
    Obj obj = st.root;
    for (int i = 0; ; i++) {
      Entry shown;
      if (obj instanceof MapObj m) {
        Register r = m.registers.get(segs.get(i));
        shown = r == null ? null : lv.winner(r);
        if (shown == null) {
          return null;
        }
      } else if (obj instanceof ListObj l) {
        Item item = shownItem(l, segs.get(i));
        if (item == null) {
          return null;
        }
        shown = lv.winner(item.value);
        if (shown == null) {
          // read() shows such an element as null, with nothing under it
          return i == segs.size() - 1 ? new Value.Scalar(null) : null;
        }
      } else {
        return null; // texts and counters have no children
      }
      if (i == segs.size() - 1) {
        return valueOf(shown);
      }
      if (shown.child == null) {
        return null;
      }
      obj = shown.child;
    }
  }

  private Item shownItem(ListObj l, String id) {
    for (Item item : shownItems(l)) {
      if (item.id.toString().equals(id)) {
        return item;
      }
    }
    return null;
  }

  /** The elements shown in {@code l}, in order. */
  public List<Item> shownItems(ListObj l) {
    List<Item> out = new ArrayList<>();
    l.seq.forEachRun(
        r -> {
          Position p = r.position;
          if (p != null && p.item != null) {
            Entry w = lv.winnerPosition(p.item);
            if (w != null && w.position == p) {
              out.add(p.item);
            }
          }
        });
    return out;
  }

  // ---- paths -------------------------------------------------------------------------------

  /** Where {@code obj} is, from the root. */
  public Path pathOf(Obj obj) {
    List<String> segs = new ArrayList<>();
    collect(obj, segs, 0);
    java.util.Collections.reverse(segs);
    return new Path(segs);
  }

  public Path pathOf(Item item) {
    List<String> segs = new ArrayList<>();
    collect(item, segs, 0);
    java.util.Collections.reverse(segs);
    return new Path(segs);
  }

  public Path pathOf(Register reg) {
    if (reg.map != null) {
      return pathOf(reg.map).child(reg.key);
    }
    return pathOf(reg.item);
  }

  private void collect(Obj obj, List<String> segs, int depth) {
    if (obj == st.root || depth > 256) {
      return;
    }
    Register reg = obj.holderRegister;
    if (reg.map != null) {
      segs.add(reg.key);
      collect(reg.map, segs, depth + 1);
    } else {
      collect(reg.item, segs, depth + 1);
    }
  }

  private void collect(Item item, List<String> segs, int depth) {
    segs.add(item.id.toString());
    ListObj list = listOf(item);
    if (list != null) {
      collect(list, segs, depth + 1);
    }
  }

  /** The list the element shows in; for a deleted element, the last list it was in. */
  public ListObj listOf(Item item) {
    Entry w = lv.winnerPosition(item);
    if (w == null) {
      for (Entry e : item.positions.entries) {
        if (w == null || w.id.compareTo(e.id) < 0) {
          w = e;
        }
      }
    }
    return w == null ? null : w.position.list;
  }

  /** Whether {@code obj} shows in the document: every register on the way to it holds it live. */
  public boolean reachable(Obj obj) {
    int depth = 0;
    Obj o = obj;
    while (o != st.root) {
      if (++depth > 256) {
        return false;
      }
      Register reg = o.holderRegister;
      if (!lv.live(o.holder, reg)) {
        return false;
      }
      if (reg.map != null) {
        o = reg.map;
      } else {
        Entry w = lv.winnerPosition(reg.item);
        if (w == null) {
          return false;
        }
        o = w.position.list;
      }
    }
    return true;
  }
}
