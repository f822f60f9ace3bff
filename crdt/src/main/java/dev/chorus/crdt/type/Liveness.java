package dev.chorus.crdt.type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which register values are live — a pure function of the ops applied, so every replica
 * decides alike whatever order the ops came in.
 *
 * <p>A value is dead once an op that named it in {@code pred} retires it — except that a delete or
 * assignment retires a <em>container</em> (or an element) only if its writer had seen every op in
 * that container's current subtree: a concurrent edit keeps it alive ("edit wins", Kleppmann and
 * Beresford, "A Conflict-Free Replicated JSON Datatype", 2017, §3). Moves retire positions
 * outright: the element lives on at its new position.
 *
 * <p>A subtree counts the ops on its containers and on its live children only: the op that retired
 * a child is itself an op on the parent, so nothing is lost, and dropping a dead child in
 * compaction changes no decision.
 *
 * <p>Subtree aggregates are cached until the next op.
 */
public final class Liveness {
  private static final Comparator<Entry> BY_ID = Comparator.comparing(e -> e.id);

  private final DocState st;
  private final Map<Object, Agg> cache = new IdentityHashMap<>();
  private final Map<Object, Boolean> visiting = new IdentityHashMap<>();
  private long stamps;
  // how often a retirement was checked against a subtree (what the memo in Entry saves; tests)
  long coverageChecks;

  Liveness(DocState st) {
    this.st = st;
  }

  /**
   * Forgets what an op may have changed: the aggregates of {@code start} (an object or an element)
   * and of everything above it. Everything else stays cached, so an edit deep in a big document
   * recomputes one path, not the whole tree.
   */
  void invalidateChain(Object start, Materializer mat) {
    if (cache.isEmpty()) {
      return; // nothing asked since the last op (typing asks nothing): no path to walk
    }
    Object x = start;
    for (int depth = 0; x != null && depth < 512; depth++) {
      cache.remove(x);
      if (x instanceof Item item) {
        x = mat.listOf(item);
      } else {
        Obj o = (Obj) x;
        Register reg = o.holderRegister;
        x = reg == null ? null : reg.map != null ? reg.map : reg.item;
      }
    }
  }

  public void invalidateAll() {
    if (!cache.isEmpty()) {
      cache.clear();
    }
  }

  public boolean live(Entry e, Register reg) {
    if (e.retiredBy == null) {
      return true;
    }
    Agg touched = null;
    for (Retirement r : e.retiredBy) {
      if (r.kind() == Retirement.Kind.MOVE) {
        return false;
      }
      if (touched == null) {
        touched = reg.positions ? subtree(reg.item) : e.child == null ? null : subtree(e.child);
        // A scalar's only op is its own assignment, which every pred naming it had seen.
        if (touched == null) {
          return false;
        }
      }
      // Every write to a key asks after each value the key ever held: once one retirement covered
      // a subtree, the answer holds until an op inside it replaces the cached aggregate.
      if (r == e.deadBy && touched.stamp == e.deadStamp && touched.stamp != 0) {
        return false;
      }
      coverageChecks++;
      if (touched.touchCoveredBy(r, st.replicas)) {
        e.deadBy = r;
        e.deadStamp = touched.stamp;
        return false;
      }
    }
    return true;
  }

  /**
   * The live values of {@code reg}, ordered by op id: to be read at once, not kept (it may be the
   * register's own list).
   */
  public List<Entry> liveEntries(Register reg) {
    List<Entry> scanned = reg.scanned();
    if (scanned.size() == 1) {
      // One value, or a moved element's one current position: every scope walk and conflict check
      // asks, and a list made for it was a tenth of what a move allocated.
      return live(scanned.get(0), reg) ? scanned : List.of();
    }
    List<Entry> out = new ArrayList<>(scanned.size());
    for (Entry e : scanned) {
      if (live(e, reg)) {
        out.add(e);
      }
    }
    if (out.size() > 1) {
      out.sort(BY_ID);
    }
    return out;
  }

  /** The display winner: the live value with the greatest op id, or null if none is live. */
  public Entry winner(Register reg) {
    Entry best = null;
    List<Entry> scanned = reg.scanned();
    for (int i = 0; i < scanned.size(); i++) { // indexed: see Register.find
      Entry e = scanned.get(i);
      if ((best == null || best.id.compareTo(e.id) < 0) && live(e, reg)) {
        best = e;
      }
    }
    return best;
  }

  /** Where the element shows, or null if it is deleted. */
  public Entry winnerPosition(Item item) {
    return winner(item.positions);
  }

  /** Everything done in {@code o}'s subtree as it is now. */
  Agg subtree(Obj o) {
    Agg cached = cache.get(o);
    if (cached != null) {
      return cached;
    }
    Agg a = new Agg();
    if (visiting.put(o, Boolean.TRUE) != null) {
      return a; // only a concurrent move cycle leads back here
    }
    try {
      a.mergeFrom(o.agg);
      if (o instanceof MapObj m) {
        for (Register reg : m.registers.values()) {
          for (Entry e : reg.entries) {
            if (e.child != null && live(e, reg)) {
              a.mergeFrom(subtree(e.child));
            }
          }
        }
      } else if (o instanceof ListObj l) {
        List<Item> shown = new ArrayList<>();
        l.seq.forEachRun(
            r -> {
              Position p = r.position;
              if (p != null && p.item != null) {
                Entry w = winnerPosition(p.item);
                if (w != null && w.position == p) {
                  shown.add(p.item);
                }
              }
            });
        for (Item item : shown) {
          a.mergeFrom(subtree(item));
        }
      }
    } finally {
      visiting.remove(o);
    }
    a.stamp = ++stamps;
    cache.put(o, a);
    return a;
  }

  /** Everything done to element {@code item} and inside its value. */
  Agg subtree(Item item) {
    Agg cached = cache.get(item);
    if (cached != null) {
      return cached;
    }
    Agg a = new Agg();
    if (visiting.put(item, Boolean.TRUE) != null) {
      return a;
    }
    try {
      a.mergeFrom(item.agg);
      for (Entry e : item.value.entries) {
        if (e.child != null && live(e, item.value)) {
          a.mergeFrom(subtree(e.child));
        }
      }
    } finally {
      visiting.remove(item);
    }
    a.stamp = ++stamps;
    cache.put(item, a);
    return a;
  }

  /**
   * Entries ordered by op id (for stable output): a read-only view of {@code entries} itself when
   * they are in that order already (values mostly arrive in it, and a snapshot walks every
   * register), so use it before the register changes.
   */
  static List<Entry> sorted(List<Entry> entries) {
    boolean inOrder = true;
    for (int i = 1; i < entries.size() && inOrder; i++) {
      inOrder = entries.get(i - 1).id.compareTo(entries.get(i).id) < 0;
    }
    if (inOrder) {
      return Collections.unmodifiableList(entries);
    }
    List<Entry> s = new ArrayList<>(entries);
    s.sort(BY_ID);
    return Collections.unmodifiableList(s);
  }
}
