package dev.chorus.crdt.type;

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

/**
 * Takes a {@link StateImage} of a state; everything in id or key order, so output is stable.
 *
 * <p>Given the image taken last and what changed since ({@link ChangeMarks}), it takes the images
 * of what did not change — objects, map registers, register values, elements — from the last one
 * instead of making them again: the same image (images are immutable, so sharing them is safe), for
 * the cost of what changed. A value's image is taken over when its subtree did not change and it
 * has as many retirements as then (a value only gains them: a rollback, which takes some away,
 * marks everything).
 */
final class StateImageWriter {
  private static final Comparator<Item> BY_ID = Comparator.comparing(i -> i.id);

  private final DocState st;
  // null: everything is imaged anew
  private final StateImage last;
  private final ChangeMarks changed;

  /** Objects and elements imaged anew (the cost a cache is there to cut; tests). */
  int imaged;

  /** A writer that images everything. */
  StateImageWriter(DocState st) {
    this(st, null, null);
  }

  /** A writer that takes what {@code changed} does not mark from {@code last}. */
  StateImageWriter(DocState st, StateImage last, ChangeMarks changed) {
    this.st = st;
    this.last = last;
    this.changed = changed;
  }

  StateImage image() {
    ObjImage root = obj(st.root, last == null ? null : last.root());
    if (last != null) {
      List<ItemImage> items = changedItems();
      // the merge keeps every element the last image had but those marked: one goes only with a
      // rollback (which marks everything) or a compaction (which marks it); should one go
      // otherwise, the count tells
      if (items.size() == st.items.size()) {
        return new StateImage(root, items);
      }
    }
    List<Item> items = new ArrayList<>(st.items.values());
    items.sort(BY_ID);
    List<ItemImage> out = new ArrayList<>(items.size());
    for (Item i : items) {
      out.add(item(i, null));
    }
    return new StateImage(root, out);
  }

  /** The last image's elements, those marked imaged again, new ones merged in by id. */
  private List<ItemImage> changedItems() {
    List<Item> marked = new ArrayList<>(changed.items());
    marked.sort(BY_ID);
    List<ItemImage> before = last.items();
    List<ItemImage> out = new ArrayList<>(st.items.size());
    int b = 0;
    for (Item i : marked) {
      while (b < before.size() && before.get(b).id().compareTo(i.id) < 0) {
        out.add(before.get(b++));
      }
      ItemImage was = b < before.size() && before.get(b).id().equals(i.id) ? before.get(b++) : null;
      if (st.items.get(i.id) == i) {
        out.add(item(i, was));
      }
    }
    out.addAll(before.subList(b, before.size()));
    return out;
  }

  private ItemImage item(Item i, ItemImage was) {
    imaged++;
    List<PositionImage> positions = new ArrayList<>();
    for (Entry e : Liveness.sorted(i.positions.entries)) {
      positions.add(new PositionImage(e.id, e.position.list.id, e.author, e.timestamp, retired(e)));
    }
    // copied: a capture is encoded on another thread while the state goes on
    List<Retirement> kept = i.keptDeletes == null ? List.of() : List.copyOf(i.keptDeletes);
    return new ItemImage(
        i.id,
        entries(i.value, was == null ? null : was.value()),
        positions,
        kept,
        i.agg.image(st.replicas));
  }

  private ObjImage obj(Obj o, ObjImage was) {
    if (was != null && !changed.has(o)) {
      return was;
    }
    imaged++;
    Map<String, List<EntryImage>> registers = Map.of();
    List<RunImage> runs = List.of();
    long counter = 0;
    if (o instanceof MapObj m) {
      // in key order already (a TreeMap): kept in that order without sorting again
      Map<String, List<EntryImage>> regs = new LinkedHashMap<>(m.registers.size() * 4 / 3 + 1);
      m.registers.forEach(
          (k, reg) -> {
            List<EntryImage> before = was == null ? null : was.registers().get(k);
            regs.put(k, before != null && !changed.has(reg) ? before : entries(reg, before));
          });
      registers = regs;
    } else if (o instanceof ListObj l) {
      runs = runs(l.seq);
    } else if (o instanceof TextObj t) {
      runs = runs(t.seq);
    } else {
      counter = ((CounterObj) o).value;
    }
    return new ObjImage(o.id, o.type(), registers, runs, counter, o.agg.image(st.replicas));
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

  /** The register's values by id; {@code before} (null if none) is its last image. */
  private List<EntryImage> entries(Register reg, List<EntryImage> before) {
    List<EntryImage> out = new ArrayList<>(reg.entries.size());
    int b = 0;
    for (Entry e : Liveness.sorted(reg.all())) {
      EntryImage was = null;
      if (before != null) {
        // the image holds the value's own id: values in the same places match by reference
        while (b < before.size()
            && before.get(b).id() != e.id
            && before.get(b).id().compareTo(e.id) < 0) {
          b++;
        }
        was = b < before.size() && before.get(b).id().equals(e.id) ? before.get(b++) : null;
      }
      ObjImage child = e.child == null ? null : obj(e.child, was == null ? null : was.child());
      int retirements = e.retiredBy == null ? 0 : e.retiredBy.size();
      if (was != null && was.child() == child && was.retiredBy().size() == retirements) {
        out.add(was);
      } else {
        out.add(new EntryImage(e.id, e.author, e.timestamp, e.content, retired(e), child));
      }
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
}
