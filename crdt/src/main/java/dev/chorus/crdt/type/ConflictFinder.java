package dev.chorus.crdt.type;

import dev.chorus.crdt.Path;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictKind;
import dev.chorus.crdt.conflict.Intent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Finds the open conflicts of the document, per site (a register, or a list element). Like
 * liveness, a pure function of the applied ops: same ops, same conflicts, same ids.
 */
public final class ConflictFinder {
  private final DocState st;
  private final Liveness lv;
  private final Materializer mat;

  public ConflictFinder(DocState st) {
    this.st = st;
    this.lv = st.liveness;
    this.mat = new Materializer(st);
  }

  /** Every open conflict in the shown document, ordered by id. */
  public List<Conflict> all() {
    List<Conflict> out = new ArrayList<>();
    forEachSite(st.root, site -> out.addAll(at(site)));
    out.sort(Comparator.comparing(Conflict::id));
    return out;
  }

  /** The conflicts of a site: a {@link Register} or an {@link Item}. */
  List<Conflict> at(Object site) {
    return site instanceof Register r ? at(r) : at((Item) site);
  }

  /**
   * Visits every site (register or element) that shows under {@code from} (an {@link Obj} or an
   * {@link Item}), each once: a concurrent move cycle can lead back to a site.
   */
  void forEachSite(Object from, Consumer<Object> visit) {
    new Walk(from, visit).walk(from, 0);
  }

  /** One {@link #forEachSite} walk. */
  private final class Walk {
    private final Object from;
    private final Consumer<Object> visit;

    /**
     * What the walk entered, made when it first goes below {@code from}'s own registers: a scope is
     * most often one element with a plain value, where no cycle can be (two sets a moved card).
     */
    private Set<Object> seen;

    Walk(Object from, Consumer<Object> visit) {
      this.from = from;
      this.visit = visit;
    }

    private boolean enter(Object x, int depth) {
      if (depth == 0) {
        return true; // from itself, entered first
      }
      if (seen == null) {
        seen = Collections.newSetFromMap(new IdentityHashMap<>(4));
        seen.add(from);
      }
      return seen.add(x);
    }

    void walk(Object x, int depth) {
      if (depth > 256 || !enter(x, depth)) {
        return;
      }
      if (x instanceof Item item) {
        visit.accept(item);
        walkRegister(item.value, depth);
      } else if (x instanceof MapObj m) {
        for (Register reg : m.registers.values()) {
          walkRegister(reg, depth);
        }
      } else if (x instanceof ListObj l) {
        for (Item item : mat.shownItems(l)) {
          walk(item, depth + 1);
        }
      }
    }

    private void walkRegister(Register reg, int depth) {
      visit.accept(reg);
      for (Entry e : lv.liveEntries(reg)) {
        if (e.child != null) {
          walk(e.child, depth + 1);
        }
      }
    }
  }

  private boolean reachable(Register reg) {
    if (reg.map != null) {
      return mat.reachable(reg.map);
    }
    return reachable(reg.item);
  }

  private boolean reachable(Item item) {
    if (lv.winnerPosition(item) == null) {
      return false;
    }
    ListObj l = mat.listOf(item);
    return l != null && mat.reachable(l);
  }

  /** The conflicts of a map entry or of an element's value. */
  public List<Conflict> at(Register reg) {
    if (reg.positions
        || (reg.entries.size() == 1 && reg.entries.get(0).retiredBy == null)
        || !reachable(reg)) {
      return List.of(); // one value, never contested: the common case, asked before every edit
    }
    List<Entry> live = lv.liveEntries(reg);
    if (live.isEmpty()) {
      return List.of();
    }
    if (live.size() == 1 && live.get(0).retiredBy == null) {
      return List.of();
    }
    String site = reg.map != null ? reg.map.id + "/" + escape(reg.key) : reg.item.id.toString();
    Path path = mat.pathOf(reg);
    List<Conflict> out = new ArrayList<>(1);
    Entry winner = live.get(live.size() - 1);
    if (live.size() > 1) {
      List<Intent> intents = new ArrayList<>();
      StringBuilder sb = new StringBuilder(path + ": ");
      for (Entry e : live) {
        Object v = mat.valueOf(e).toPlain();
        intents.add(new Intent(e.id, e.author, e.timestamp, "value", v));
        sb.append(e.author).append(" set ").append(show(v)).append("; ");
      }
      sb.append("concurrently; showing ").append(show(mat.valueOf(winner).toPlain()));
      out.add(
          new Conflict(
              "assign:" + site,
              ConflictKind.CONCURRENT_ASSIGNMENT,
              path,
              mat.valueOf(winner).toPlain(),
              intents,
              sb.toString()));
    }
    for (Entry e : live) {
      if (e.child != null && e.retiredBy != null) {
        Conflict c = deleteVsEdit("delete:" + site, path, e.retiredBy, lv.subtree(e.child));
        if (c != null) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** The move-vs-move and delete-vs-edit conflicts of a list element. */
  public List<Conflict> at(Item item) {
    List<Entry> live = lv.liveEntries(item.positions);
    List<Retirement> deletes = new ArrayList<>(0);
    if (item.keptDeletes != null) {
      deletes.addAll(item.keptDeletes);
    }
    List<Entry> scanned = item.positions.scanned();
    for (int i = 0; i < scanned.size(); i++) { // indexed: see Register.find
      Entry e = scanned.get(i);
      if (e.retiredBy != null) {
        for (Retirement r : e.retiredBy) {
          if (r.kind() == Retirement.Kind.DELETE) {
            deletes.add(r);
          }
        }
      }
    }
    // One position and no delete, the common case, asked before and after every op on an element:
    // no conflict, so no path to work out.
    if ((live.size() < 2 && deletes.isEmpty()) || !reachable(item)) {
      return List.of();
    }
    List<Conflict> out = new ArrayList<>(1);
    Path path = mat.pathOf(item);
    if (live.size() > 1) {
      List<Intent> intents = new ArrayList<>();
      StringBuilder sb = new StringBuilder(path + ": ");
      for (Entry e : live) {
        String dest = mat.pathOf(e.position.list).toString();
        intents.add(new Intent(e.id, e.author, e.timestamp, "destination", dest));
        sb.append(e.author).append(" moved it to ").append(show(dest)).append("; ");
      }
      String shown = mat.pathOf(live.get(live.size() - 1).position.list).toString();
      sb.append("concurrently; showing it in ").append(show(shown));
      out.add(
          new Conflict(
              "move:" + item.id, ConflictKind.MOVE_VS_MOVE, path, shown, intents, sb.toString()));
    }
    if (!deletes.isEmpty()) {
      Conflict c = deleteVsEdit("delete:" + item.id, path, deletes, lv.subtree(item));
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * A delete its writer made without seeing an edit inside the item: the item stays (edit wins)
   * until someone who has seen the delete deletes again or keeps editing.
   */
  private Conflict deleteVsEdit(String id, Path path, List<Retirement> retirements, Agg sub) {
    if (retirements == null) {
      return null;
    }
    TreeMap<dev.chorus.crdt.clock.OpId, Retirement> open = new TreeMap<>();
    for (Retirement r : retirements) {
      if (r.kind() == Retirement.Kind.DELETE && !sub.acks(r.by(), st.replicas)) {
        open.put(r.by(), r);
      }
    }
    if (open.isEmpty()) {
      return null;
    }
    List<Intent> intents = new ArrayList<>();
    TreeMap<dev.chorus.crdt.clock.OpId, Touch> editors = new TreeMap<>();
    for (Retirement r : open.values()) {
      intents.add(new Intent(r.by(), r.author(), r.timestamp(), "deleter", null));
      for (Touch t : sub.actors()) {
        if (!r.deps().includes(t.op())) {
          editors.put(t.op(), t);
        }
      }
    }
    StringBuilder sb = new StringBuilder(path + ": ");
    for (Retirement r : open.values()) {
      sb.append(r.author()).append(" deleted it; ");
    }
    for (Touch t : editors.values()) {
      intents.add(new Intent(t.op(), t.author(), t.timestamp(), "editor", null));
      sb.append(t.author()).append(" edited it; ");
    }
    sb.append("concurrently; kept with the edits");
    intents.sort(Comparator.comparing(Intent::op));
    return new Conflict(id, ConflictKind.DELETE_VS_EDIT, path, null, intents, sb.toString());
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String show(Object v) {
    return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
  }
}
