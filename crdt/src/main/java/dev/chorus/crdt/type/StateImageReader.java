package dev.chorus.crdt.type;

import dev.chorus.crdt.type.StateImage.AggImage;
import dev.chorus.crdt.type.StateImage.EntryImage;
import dev.chorus.crdt.type.StateImage.ItemImage;
import dev.chorus.crdt.type.StateImage.ObjImage;
import dev.chorus.crdt.type.StateImage.PositionImage;
import dev.chorus.crdt.type.StateImage.RunImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a state from a {@link StateImage}: containers first (nested under the values that hold
 * them), then elements, then the links from elements' positions into their lists' sequences.
 *
 * @throws IllegalStateException if the image refers to things it does not contain
 */
final class StateImageReader {
  private final DocState st;

  StateImageReader(DocState st) {
    this.st = st;
  }

  void load(StateImage img) {
    if (st.objects.size() != 1 || !st.root.registers.isEmpty() || !st.items.isEmpty()) {
      throw new IllegalStateException("a state image loads into an empty state only");
    }
    fill(st.root, img.root());
    for (ItemImage ii : img.items()) {
      Item item = new Item(ii.id());
      st.items.put(item);
      for (EntryImage ei : ii.value()) {
        item.value.load(entry(ei, item.value));
      }
      agg(item.agg, ii.agg());
      if (!ii.keptDeletes().isEmpty()) {
        item.keptDeletes = new ArrayList<>(ii.keptDeletes());
      }
    }
    for (ItemImage ii : img.items()) {
      Item item = st.items.get(ii.id());
      for (PositionImage pi : ii.positions()) {
        if (!(st.objects.get(pi.list()) instanceof ListObj list)) {
          throw new IllegalStateException("position " + pi.id() + " names no list " + pi.list());
        }
        Position p = new Position(pi.id(), item, list);
        Entry e = new Entry(pi.id(), pi.author(), pi.timestamp(), null, p);
        retire(e, pi.retiredBy());
        item.positions.load(e);
        Run run = list.seq.runOf(pi.id());
        if (run == null) {
          throw new IllegalStateException("position " + pi.id() + " is not in list " + list.id);
        }
        run.position = p;
        p.run = run;
      }
    }
    st.liveness.invalidateAll();
  }

  private Entry entry(EntryImage ei, Register reg) {
    Entry e = new Entry(ei.id(), ei.author(), ei.timestamp(), ei.content(), null);
    retire(e, ei.retiredBy());
    if (ei.child() != null) {
      ObjImage oi = ei.child();
      Obj child =
          switch (oi.type()) {
            case MAP -> new MapObj(oi.id(), e, reg);
            case LIST -> new ListObj(oi.id(), e, reg);
            case TEXT -> new TextObj(oi.id(), e, reg);
            case COUNTER -> new CounterObj(oi.id(), e, reg);
          };
      if (st.objects.put(child.id, child) != null) {
        throw new IllegalStateException("object " + child.id + " appears twice");
      }
      e.child = child;
      fill(child, oi);
    }
    return e;
  }

  private void fill(Obj o, ObjImage oi) {
    agg(o.agg, oi.agg());
    if (o instanceof MapObj m) {
      for (Map.Entry<String, List<EntryImage>> r : oi.registers().entrySet()) {
        Register reg = m.register(r.getKey(), null);
        for (EntryImage ei : r.getValue()) {
          reg.load(entry(ei, reg));
        }
      }
    } else if (o instanceof ListObj l) {
      runs(l.seq, oi.runs());
    } else if (o instanceof TextObj t) {
      runs(t.seq, oi.runs());
    } else {
      ((CounterObj) o).value = oi.counter();
    }
  }

  private static void runs(Sequence seq, List<RunImage> runs) {
    for (RunImage r : runs) {
      seq.appendRun(r.id(), r.length(), r.originLeft(), r.originRight(), r.visible(), r.text());
    }
  }

  private static void retire(Entry e, List<Retirement> retiredBy) {
    if (!retiredBy.isEmpty()) {
      e.retiredBy = new ArrayList<>(retiredBy);
    }
  }

  private void agg(Agg a, AggImage ai) {
    a.load(ai, st.replicas);
  }
}
