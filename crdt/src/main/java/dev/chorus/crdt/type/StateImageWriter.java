package dev.chorus.crdt.type;

import dev.chorus.crdt.type.StateImage.AggImage;
import dev.chorus.crdt.type.StateImage.EntryImage;
import dev.chorus.crdt.type.StateImage.ItemImage;
import dev.chorus.crdt.type.StateImage.ObjImage;
import dev.chorus.crdt.type.StateImage.PositionImage;
import dev.chorus.crdt.type.StateImage.RunImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
      List<Retirement> kept = i.keptDeletes == null ? List.of() : i.keptDeletes;
      out.add(new ItemImage(i.id, entries(i.value), positions, kept, agg(i.agg)));
    }
    return new StateImage(obj(st.root), out);
  }

  private ObjImage obj(Obj o) {
    Map<String, List<EntryImage>> registers = new TreeMap<>();
    List<RunImage> runs = new ArrayList<>();
    long counter = 0;
    if (o instanceof MapObj m) {
      m.registers.forEach((k, reg) -> registers.put(k, entries(reg)));
    } else if (o instanceof ListObj l) {
      l.seq.forEachRun(r -> runs.add(run(l.seq, r)));
    } else if (o instanceof TextObj t) {
      t.seq.forEachRun(r -> runs.add(run(t.seq, r)));
    } else {
      counter = ((CounterObj) o).value;
    }
    return new ObjImage(o.id, o.type(), registers, runs, counter, agg(o.agg));
  }

  private static RunImage run(Sequence seq, Sequence.Run r) {
    return new RunImage(r.id(0), r.len, r.originLeft, r.originRight, r.visible, seq.textOf(r));
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
    List<Retirement> r = new ArrayList<>(e.retiredBy);
    r.sort(Comparator.comparing(Retirement::by));
    return r;
  }

  private AggImage agg(Agg a) {
    return new AggImage(
        a.touch.export(st.replicas),
        a.ack.toVersionVector(st.replicas),
        new ArrayList<>(a.byActor.values()));
  }
}
