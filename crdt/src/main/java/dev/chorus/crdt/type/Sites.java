package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conflict sites one change may have altered, each with its conflicts from before the change,
 * so that after it the differences become {@link ConflictEvent}s.
 *
 * <p>An edit deep in a subtree can keep an ancestor alive or settle a delete on it, so every op
 * reports its target's ancestors too. An op that can hide or show a whole subtree (retiring a
 * container, deleting or moving an element, or editing inside a deleted container, which revives
 * it) also reports that subtree as a <em>scope</em>: every site under it is compared too. The cost
 * is proportional to what the change touched, never to the document.
 */
public final class Sites {
  private final DocState st;
  private final ConflictFinder finder;
  private final Materializer mat;

  /** A map with more entries than this is made anew for the next change, not cleared. */
  private static final int SMALL = 8;

  /** Every site compared after the change. */
  private Map<Object, Site> sites = new IdentityHashMap<>(4);

  /** The sites the ops named, in order: their events come first. */
  private final List<Object> order = new ArrayList<>(2);

  private Map<Object, Boolean> scopes = new IdentityHashMap<>(4);
  private final List<Object> dirty = new ArrayList<>(2);
  private final boolean tracking;

  /** Sites that report conflict events. */
  public Sites(DocState st) {
    this(st, true);
  }

  private Sites(DocState st, boolean tracking) {
    this.st = st;
    this.finder = st.conflictFinder;
    this.mat = st.materializer;
    this.tracking = tracking;
  }

  /**
   * A site: its conflicts from before the change; {@code named} if an op named it (not a scope).
   */
  private static final class Site {
    final List<Conflict> before;
    boolean named;

    Site(List<Conflict> before) {
      this.before = before;
    }
  }

  /** These sites, emptied, for the next change. */
  public Sites cleared() {
    sites = emptied(sites);
    scopes = emptied(scopes);
    order.clear();
    dirty.clear();
    return this;
  }

  /**
   * {@code m} cleared, or a new small map if a big change grew it: clear() costs the whole table,
   * which never shrinks, and a new map on every change was a tenth of what typing allocated.
   */
  private static <V> Map<Object, V> emptied(Map<Object, V> m) {
    if (m.size() > SMALL) {
      return new IdentityHashMap<>(4);
    }
    if (!m.isEmpty()) {
      m.clear();
    }
    return m;
  }

  /**
   * Sites for a replay, where nobody wants events: only the cached aggregates an op touches are
   * kept up to date, without looking at any conflict before or after.
   */
  public static Sites untracked(DocState st) {
    return new Sites(st, false);
  }

  void add(Register reg) {
    addSite(reg);
  }

  void add(Item item) {
    addSite(item);
  }

  private void addSite(Object site) {
    if (!tracking) {
      return;
    }
    Site s = sites.get(site);
    if (s == null) {
      s = new Site(finder.at(site));
      sites.put(site, s);
    }
    if (!s.named) {
      s.named = true;
      order.add(site);
    }
  }

  /**
   * Before an op that can hide or show everything under {@code root} (an {@link Obj} or an {@link
   * Item}): remembers the conflicts of every site under it. A site already remembered keeps what it
   * had before the change.
   */
  void scope(Object root) {
    if (!tracking) {
      return;
    }
    if (scopes.put(root, Boolean.TRUE) == null) {
      finder.forEachSite(root, site -> sites.computeIfAbsent(site, x -> new Site(finder.at(x))));
    }
  }

  /** Reports every register and element on the way from the root to {@code obj}. */
  void touchAncestors(Obj obj) {
    dirty.add(obj);
    Obj o = obj;
    for (int depth = 0; o != st.root && depth < 256; depth++) {
      if (o.holder.retiredBy != null) {
        scope(o); // an edit inside a deleted container can bring it back, whole
      }
      Register reg = o.holderRegister;
      if (!uncontested(reg)) {
        add(reg);
      }
      if (reg.map != null) {
        o = reg.map;
      } else {
        addElement(reg.item);
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
    addElement(item);
    ListObj l = mat.listOf(item);
    if (l != null) {
      touchAncestors(l);
    }
  }

  /**
   * Whether an ancestor register has no conflict and no op below it can give it one: one value,
   * never retired. Its conflicts (two live values, or a delete an edit kept alive) come only from
   * ops on the register itself, which report it with {@link #add}. Typing into a text reported the
   * text's register on every keystroke: a tenth of a trace replay's CPU in this bookkeeping.
   */
  private static boolean uncontested(Register reg) {
    return reg.entries.size() == 1 && reg.entries.get(0).retiredBy == null;
  }

  private void addElement(Item item) {
    add(item);
    for (Entry e : item.positions.scanned()) {
      if (e.retiredBy != null) {
        scope(item); // a deleted element an edit keeps alive shows again, whole
        return;
      }
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
    if (!tracking) {
      throw new IllegalStateException("untracked sites report no events");
    }
    List<ConflictEvent> out = null;
    for (Object site : order) {
      List<Conflict> was = sites.get(site).before;
      List<Conflict> is = finder.at(site);
      if (!was.isEmpty() || !is.isEmpty()) {
        out = out == null ? new ArrayList<>() : out;
        diff(was, is, by, change, out);
      }
    }
    if (scopes.isEmpty()) {
      return out == null ? List.of() : out; // typing: one uncontested site, nothing to report
    }
    // Sites now under a scope that were hidden before the change had no conflicts showing then.
    for (Object root : scopes.keySet()) {
      finder.forEachSite(
          root,
          site -> {
            if (!sites.containsKey(site)) {
              sites.put(site, new Site(List.of()));
            }
          });
    }
    List<Conflict> was = new ArrayList<>();
    List<Conflict> is = new ArrayList<>();
    // forEach, not entrySet(): an identity map's entry iterator makes an entry object per entry
    sites.forEach(
        (site, s) -> {
          if (!s.named) {
            was.addAll(s.before);
            is.addAll(finder.at(site));
          }
        });
    if (!was.isEmpty() || !is.isEmpty()) {
      was.sort(BY_ID);
      is.sort(BY_ID);
      out = out == null ? new ArrayList<>() : out;
      diff(was, is, by, change, out);
    }
    return out == null ? List.of() : out;
  }

  private static final Comparator<Conflict> BY_ID = Comparator.comparing(Conflict::id);

  private static void diff(
      List<Conflict> was, List<Conflict> is, Author by, OpId change, List<ConflictEvent> out) {
    Map<String, Conflict> open = new LinkedHashMap<>();
    for (Conflict c : was) {
      open.put(c.id(), c);
    }
    for (Conflict c : is) {
      Conflict old = open.remove(c.id());
      if (old == null || !sameIntents(old, c)) {
        out.add(new ConflictEvent.Opened(c));
      }
    }
    for (Conflict c : open.values()) {
      out.add(new ConflictEvent.Resolved(c, by, change));
    }
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
