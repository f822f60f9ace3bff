package dev.chorus.crdt.type;

import dev.chorus.crdt.type.StateImage.AggImage;
import dev.chorus.crdt.type.StateImage.EntryImage;
import dev.chorus.crdt.type.StateImage.ItemImage;
import dev.chorus.crdt.type.StateImage.ObjImage;
import dev.chorus.crdt.type.StateImage.PositionImage;
import dev.chorus.crdt.type.StateImage.RunImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Takes a {@link StateImage} of a state; everything in id or key order, so output is stable. */
final class StateImageWriter {
  private final DocState st;

  StateImageWriter(DocState st) {
    this.st = st;
  }

  StateImage image() {
    List<Item> items = new ArrayList<>(st.items.values());
    items.sort(Comparator.comparing(i -> i.id));
    List<ItemImage> out = new ArrayList<>(items.size());
    for (Item i : items) {
      List<PositionImage> positions = new ArrayList<>();
      for (Entry e : Liveness.sorted(i.positions.entries)) {
        positions.add(
            new PositionImage(e.id, e.position.list.id, e.author, e.timestamp, retired(e)));
      }
      // copied: a capture is encoded on another thread while the state goes on
      List<Retirement> kept = i.keptDeletes == null ? List.of() : List.copyOf(i.keptDeletes);
      out.add(new ItemImage(i.id, entries(i.value), positions, kept, agg(i.agg)));
    }
    return new StateImage(obj(st.root), out);
  }

  private ObjImage obj(Obj o) {
    Map<String, List<EntryImage>> registers = Map.of();
    List<RunImage> runs = List.of();
    long counter = 0;
    if (o instanceof MapObj m) {
      // in key order already (a TreeMap): kept in that order without sorting again
      Map<String, List<EntryImage>> regs = new LinkedHashMap<>(m.registers.size() * 4 / 3 + 1);
      m.registers.forEach((k, reg) -> regs.put(k, entries(reg)));
      registers = regs;
    } else if (o instanceof ListObj l) {
      runs = runs(l.seq);
    } else if (o instanceof TextObj t) {
      runs = runs(t.seq);
    } else {
      counter = ((CounterObj) o).value;
    }
    return new ObjImage(o.id, o.type(), registers, runs, counter, agg(o.agg));
  }

  private static List<RunImage> runs(Sequence seq) {
    List<RunImage> runs = new ArrayList<>();
    seq.forEachRun(
        r ->
            runs.add(
                new RunImage(
                    r.id(0), r.len, r.originLeft, r.originRight, r.visible, seq.textOf(r))));
    return runs;
  }

  private List<EntryImage> entries(Register reg) {
    List<EntryImage> out = new ArrayList<>(reg.entries.size());
    for (Entry e : Liveness.sorted(reg.all())) {
      out.add(
          new EntryImage(
              e.id,
              e.author,
              e.timestamp,
              e.content,
              retired(e),
              e.child == null ? null : obj(e.child)));
    }
    return out;
  }

  private static List<Retirement> retired(Entry e) {
    if (e.retiredBy == null) {
      return List.of();
    }
    if (e.retiredBy.size() == 1) {
      return List.of(e.retiredBy.get(0));
    }
    List<Retirement> r = new ArrayList<>(e.retiredBy);
    r.sort(Comparator.comparing(Retirement::by));
    return r;
  }

  private AggImage agg(Agg a) {
    return a.image(st.replicas);
  }
}
