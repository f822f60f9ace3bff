package dev.chorus.crdt.type;

import dev.chorus.crdt.DocException;
import dev.chorus.crdt.DocException.Code;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import java.util.ArrayList;
import java.util.List;

/**
 * The document as one writer had seen it — {@code basedOn}, plus the ops of its own edit so far —
 * for an {@link Editor}: which values and positions the writer saw (what its ops supersede), and
 * where its paths and element ids lead.
 *
 * <p>One per replica, set by {@link #begin} for each edit. Not thread-safe.
 */
final class WriterView {
  private final DocState st;
  private final Liveness lv;
  private final String replica;
  private VersionVector basedOn;
  private boolean sawAll;
  private long start;

  WriterView(DocState st, String replica) {
    this.st = st;
    this.lv = st.liveness;
    this.replica = replica;
  }

  /**
   * A writer who had seen {@code basedOn} ({@code sawAll}: everything this replica has), whose edit
   * numbers its ops from {@code startCounter}.
   */
  void begin(VersionVector basedOn, boolean sawAll, long startCounter) {
    this.basedOn = basedOn;
    this.sawAll = sawAll;
    this.start = startCounter;
  }

  // ---- what the writer had seen --------------------------------------------------------------

  boolean seen(OpId id) {
    return basedOn.includes(id) || (id.replica().equals(replica) && id.counter() >= start);
  }

  /**
   * Whether the writer had {@code e} shown: it had seen it, and no retirement of it that worked.
   */
  boolean visible(Entry e, Register reg) {
    if (!seen(e.id)) {
      return false;
    }
    if (lv.live(e, reg) || e.retiredBy == null) {
      return true;
    }
    for (Retirement r : e.retiredBy) {
      if (seen(r.by())) {
        return false;
      }
    }
    return true;
  }

  List<OpId> seenValues(Register reg) {
    List<OpId> out = new ArrayList<>(1);
    List<Entry> values = reg.positions ? positions(reg) : reg.entries;
    for (int i = 0; i < values.size(); i++) { // indexed: see Register.find
      Entry e = values.get(i);
      if (visible(e, reg)) {
        out.add(e.id);
      }
    }
    return out;
  }

  /**
   * The positions of an element a writer may have seen: for one that saw everything this replica
   * has, none that a move retired (it saw the move); for an older view, all of them.
   */
  List<Entry> positions(Register reg) {
    return sawAll ? reg.scanned() : reg.entries;
  }

  Entry seenWinner(Register reg) {
    Entry best = null;
    for (Entry e : reg.entries) {
      if ((best == null || best.id.compareTo(e.id) < 0) && visible(e, reg)) {
        best = e;
      }
    }
    return best;
  }

  // ---- paths -------------------------------------------------------------------------------

  /** Where a path ends: a map key, or an element of a list. */
  record Slot(MapObj map, String key, ListObj list, Item item) {}

  Slot slot(Path path) {
    if (path.isRoot()) {
      throw new DocException(Code.PATH_NOT_FOUND, "the root itself cannot be assigned or deleted");
    }
    Obj parent = resolve(path.parent(), path);
    if (parent instanceof MapObj m) {
      return new Slot(m, path.last(), null, null);
    }
    if (parent instanceof ListObj l) {
      return new Slot(null, null, l, element(l, path.last(), path));
    }
    throw new DocException(Code.NOT_A_MAP, path.parent() + " is a " + parent.type().wireName());
  }

  <T extends Obj> T container(Path path, Class<T> type, Code code) {
    Obj o = resolve(path, path);
    if (!type.isInstance(o)) {
      throw new DocException(code, path + " is a " + o.type().wireName());
    }
    return type.cast(o);
  }

  Obj resolve(Path path, Path whole) {
    Obj o = st.root;
    List<String> segments = path.segments();
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      Entry e;
      if (o instanceof MapObj m) {
        Register reg = m.registers.get(seg);
        e = reg == null ? null : seenWinner(reg);
      } else if (o instanceof ListObj l) {
        e = seenWinner(element(l, seg, whole).value);
      } else {
        throw new DocException(Code.PATH_NOT_FOUND, "no " + whole + ": a " + o.type().wireName());
      }
      if (e == null) {
        throw new DocException(Code.PATH_NOT_FOUND, "no " + whole);
      }
      if (e.child == null) {
        throw new DocException(Code.PATH_NOT_FOUND, "no " + whole + ": a scalar is in the way");
      }
      o = e.child;
    }
    return o;
  }

  /** Element {@code id} as the writer saw it in list {@code l}. */
  Item element(ListObj l, String id, Path whole) {
    Item item = OpId.looksLikeId(id) ? st.items.get(st.replicas.parseId(id)) : null;
    if (item != null) {
      // Where it shows now is almost always where the writer saw it: one check instead of one per
      // position it ever had (every move leaves one).
      Entry shown = lv.winnerPosition(item);
      if (shown != null && shown.position.list == l && visible(shown, item.positions)) {
        return item;
      }
      for (Entry e : positions(item.positions)) {
        if (e.position.list == l && visible(e, item.positions)) {
          return item;
        }
      }
    }
    throw new DocException(Code.PATH_NOT_FOUND, "no element " + id + " in " + whole);
  }

  /** The position of element {@code id} in {@code l} that the writer saw, to insert after. */
  Position seenPosition(ListObj l, String id, Path whole) {
    if (sawAll) {
      // A writer that saw everything sees the live positions, the greatest of which is where the
      // element shows: one check instead of finding the element, then scanning its positions.
      Item item = OpId.looksLikeId(id) ? st.items.get(st.replicas.parseId(id)) : null;
      Entry shown = item == null ? null : lv.winnerPosition(item);
      if (shown != null && shown.position.list == l) {
        return shown.position;
      }
    }
    return positionIn(l, element(l, id, whole), whole);
  }

  /** The position of {@code item} in {@code l} that the writer saw, to insert after. */
  Position positionIn(ListObj l, Item item, Path whole) {
    Entry best = null;
    for (Entry e : positions(item.positions)) {
      if (e.position.list == l
          && visible(e, item.positions)
          && (best == null || best.id.compareTo(e.id) < 0)) {
        best = e;
      }
    }
    if (best == null) {
      throw new DocException(Code.PATH_NOT_FOUND, "no element " + item.id + " in " + whole);
    }
    return best.position;
  }
}
