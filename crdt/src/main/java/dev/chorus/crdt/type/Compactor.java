package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.VersionVector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Drops state that nobody can need once a version is causally stable: values retired (for good) by
 * an op in the stable version, with everything under them, and deleted chars' text.
 *
 * <p>Why it is safe: a value retired by a stable op is invisible to every writer whose view
 * includes that op, and after compaction only such writers are accepted; so no later op can name it
 * or edit inside it. Ids of retired list positions and deleted chars stay in their sequences (as
 * Yjs keeps its deleted items): a concurrent insert elsewhere may still name them as origins.
 *
 * <p>What it drops it marks as changed ({@link ChangeMarks}), as an op would: a cached capture
 * after a compaction images what the compaction touched, not the whole document.
 */
public final class Compactor {
  private final DocState st;
  private final Liveness lv;

  public Compactor(DocState st) {
    this.st = st;
    this.lv = st.liveness;
  }

  public void compact(VersionVector stable) {
    lv.invalidateAll();
    for (Obj o : new ArrayList<>(st.objects.values())) {
      if (o instanceof MapObj m && st.objects.containsKey(m.id)) {
        for (Iterator<Register> it = m.registers.values().iterator(); it.hasNext(); ) {
          Register reg = it.next();
          dropRetired(reg, stable);
          if (reg.entries.isEmpty() && (reg.retired == null || reg.retired.isEmpty())) {
            st.changing(reg);
            it.remove();
          }
        }
      } else if (o instanceof TextObj t && t.seq.dropTombstoneText() > 0) {
        st.changing(t);
      }
    }
    for (Item item : new ArrayList<>(st.items.values())) {
      if (!st.items.containsKey(item.id)) {
        continue;
      }
      dropRetired(item.value, stable);
      dropRetired(item.positions, stable);
      if (item.positions.entries.isEmpty()) {
        dropItem(item);
      }
    }
    lv.invalidateAll();
  }

  /** Removes the values a stable op retired for good. */
  private void dropRetired(Register reg, VersionVector stable) {
    if (reg.retired != null && reg.retired.removeIf(e -> retiredWithin(e, stable))) {
      st.changing(reg);
    }
    List<Entry> dead = new ArrayList<>();
    for (Entry e : reg.entries) {
      if (e.retiredBy != null
          && !lv.live(e, reg)
          && retiredWithin(e, stable)
          && (e.child == null || selfContained(e.child))) {
        dead.add(e);
      }
    }
    for (Entry e : dead) {
      st.changing(reg);
      reg.drop(e);
      if (reg.positions) {
        keepDeletes(reg.item, e);
      }
      if (e.child != null) {
        dropObject(e.child);
      }
      if (e.position != null) {
        dropPosition(e.position);
      }
    }
  }

  /** The run of a position dropped for good forgets it (its id stays, for origins). */
  private void dropPosition(Position p) {
    Run r = p.list.seq.runOf(p.id);
    if (r != null) {
      st.changing(p.list);
      r.position = null;
    }
  }

  private static void keepDeletes(Item item, Entry position) {
    for (Retirement r : position.retiredBy) {
      if (r.kind() == Retirement.Kind.DELETE) {
        if (item.keptDeletes == null) {
          item.keptDeletes = new ArrayList<>(1);
        }
        item.keptDeletes.add(r);
      }
    }
  }

  /** Whether a retirement that kills {@code e} is in the stable version. */
  private boolean retiredWithin(Entry e, VersionVector stable) {
    for (Retirement r : e.retiredBy) {
      if (stable.includes(r.by())) {
        return true;
      }
    }
    return false;
  }

  private void dropObject(Obj o) {
    st.objects.remove(o.id);
    if (o instanceof MapObj m) {
      for (Register reg : m.registers.values()) {
        for (Entry e : reg.entries) {
          if (e.child != null) {
            dropObject(e.child);
          }
        }
      }
    } else if (o instanceof ListObj l) {
      List<Item> inside = new ArrayList<>();
      l.seq.forEachRun(
          r -> {
            if (r.position != null && st.items.containsKey(r.position.item.id)) {
              inside.add(r.position.item);
            }
          });
      inside.forEach(this::dropItem);
    }
  }

  /**
   * Whether every element with a position in {@code o}'s lists has all its positions there: only
   * then can the subtree go as a whole. An element moved out (or with a concurrent move out) keeps
   * the subtree until that settles.
   */
  private boolean selfContained(Obj o) {
    java.util.Set<ListObj> lists = new java.util.HashSet<>();
    collectLists(o, lists, 0);
    for (ListObj l : lists) {
      boolean[] outside = {false};
      l.seq.forEachRun(
          r -> {
            if (r.position != null) {
              for (Entry e : r.position.item.positions.entries) {
                if (!lists.contains(e.position.list)) {
                  outside[0] = true;
                }
              }
            }
          });
      if (outside[0]) {
        return false;
      }
    }
    return true;
  }

  private void collectLists(Obj o, java.util.Set<ListObj> lists, int depth) {
    if (depth > 256) {
      return;
    }
    if (o instanceof MapObj m) {
      for (Register reg : m.registers.values()) {
        for (Entry e : reg.entries) {
          if (e.child != null) {
            collectLists(e.child, lists, depth + 1);
          }
        }
      }
    } else if (o instanceof ListObj l && lists.add(l)) {
      l.seq.forEachRun(
          r -> {
            if (r.position != null) {
              for (Entry e : r.position.item.value.entries) {
                if (e.child != null) {
                  collectLists(e.child, lists, depth + 1);
                }
              }
            }
          });
    }
  }

  private void dropItem(Item item) {
    if (st.items.remove(item.id) == null) {
      return;
    }
    st.changing(item); // its image goes from the element list
    for (Entry e : item.positions.entries) {
      dropPosition(e.position);
    }
    for (Entry e : item.value.entries) {
      if (e.child != null) {
        dropObject(e.child);
      }
    }
  }
}
