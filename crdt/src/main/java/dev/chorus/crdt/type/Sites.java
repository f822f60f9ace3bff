package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conflict sites one change may have altered, each with its conflicts from before the change,
 * so that after it the differences become {@link ConflictEvent}s.
 *
 * <p>An edit deep in a subtree can keep an ancestor alive or settle a delete on it, so every op
 * reports its target's ancestors too.
 */
public final class Sites {
  private final DocState st;
  private final ConflictFinder finder;
  private final Materializer mat;
  private final Map<Object, List<Conflict>> before = new IdentityHashMap<>(8);
  private final List<Object> order = new ArrayList<>(4);
  private final List<Object> dirty = new ArrayList<>(4);
  private List<Conflict> allBefore;

  public Sites(DocState st) {
    this.st = st;
    this.finder = new ConflictFinder(st);
    this.mat = new Materializer(st);
  }

  void add(Register reg) {
    if (!before.containsKey(reg)) {
      before.put(reg, finder.at(reg));
      order.add(reg);
    }
  }

  void add(Item item) {
    if (!before.containsKey(item)) {
      before.put(item, finder.at(item));
      order.add(item);
    }
  }

  /** Reports every register and element on the way from the root to {@code obj}. */
  void touchAncestors(Obj obj) {
    dirty.add(obj);
    Obj o = obj;
    for (int depth = 0; o != st.root && depth < 256; depth++) {
      Register reg = o.holderRegister;
      add(reg);
      if (reg.map != null) {
        o = reg.map;
      } else {
        add(reg.item);
        ListObj l = mat.listOf(reg.item);
        if (l == null) {
          return;
        }
        o = l;
      }
    }
  }

  void touchAncestors(Item item) {
    dirty.add(item);
    add(item);
    ListObj l = mat.listOf(item);
    if (l != null) {
      touchAncestors(l);
    }
  }

  /**
   * Before an op that can hide or show whole subtrees (retiring a container, deleting or moving an
   * element): remembers every open conflict, so conflicts that appear or vanish with a subtree are
   * reported too, not only those of the sites the op touched.
   */
  void structural() {
    if (allBefore == null) {
      allBefore = finder.all();
    }
  }

  /** Marks {@code obj}'s own aggregate as changed (its ancestors follow). */
  void dirty(Obj obj) {
    dirty.add(obj);
  }

  /** After an op: forgets the cached aggregates on every path it touched (see {@link Liveness}). */
  void invalidateDirty() {
    for (Object x : dirty) {
      st.liveness.invalidateChain(x, mat);
    }
    dirty.clear();
  }

  /** The conflicts opened, changed or resolved since the sites were reported. */
  public List<ConflictEvent> events(Author by, OpId change) {
    List<ConflictEvent> out = new ArrayList<>();
    for (Object site : order) {
      List<Conflict> after = site instanceof Register r ? finder.at(r) : finder.at((Item) site);
      Map<String, Conflict> was = new LinkedHashMap<>();
      for (Conflict c : before.get(site)) {
        was.put(c.id(), c);
      }
      for (Conflict c : after) {
        Conflict old = was.remove(c.id());
        if (old == null || !sameIntents(old, c)) {
          out.add(new ConflictEvent.Opened(c));
        }
      }
      for (Conflict c : was.values()) {
        out.add(new ConflictEvent.Resolved(c, by, change));
      }
    }
    if (allBefore != null) {
      Map<String, Conflict> was = new LinkedHashMap<>();
      allBefore.forEach(c -> was.put(c.id(), c));
      java.util.Set<String> reported = new java.util.HashSet<>();
      out.forEach(e -> reported.add(e.conflict().id()));
      for (Conflict c : finder.all()) {
        Conflict old = was.remove(c.id());
        if (!reported.contains(c.id()) && (old == null || !sameIntents(old, c))) {
          out.add(new ConflictEvent.Opened(c));
        }
      }
      for (Conflict c : was.values()) {
        if (!reported.contains(c.id())) {
          out.add(new ConflictEvent.Resolved(c, by, change));
        }
      }
    }
    return out;
  }

  private static boolean sameIntents(Conflict a, Conflict b) {
    if (a.intents().size() != b.intents().size()) {
      return false;
    }
    for (int i = 0; i < a.intents().size(); i++) {
      if (!a.intents().get(i).op().equals(b.intents().get(i).op())) {
        return false;
      }
    }
    return true;
  }
}
