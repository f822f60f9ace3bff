package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CRDT state of one document replica and the one place where ops change it.
 *
 * <p>Rules every op application follows (MUST):
 *
 * <ol>
 *   <li>it checks its references (target, element, origins, pred) before or while mutating, and
 *       throws {@link InvalidOpException} if one is missing; every mutation made so far is in the
 *       {@link UndoLog}, so the caller can roll the whole change back;
 *   <li>it records itself on the aggregate of every object it edits ({@link Agg}), which is what
 *       lets concurrent nested edits survive a delete;
 *   <li>it reports the conflict sites it may have changed to {@link Sites}, before mutating them;
 *   <li>it marks every object, map register and element whose image it changes ({@link
 *       ChangeMarks}), before mutating them.
 * </ol>
 *
 * <p>Not thread-safe: one document replica is used from one thread (the session's context).
 */
public final class DocState {
  final ReplicaTable replicas = new ReplicaTable();
  final MapObj root = new MapObj(OpId.ROOT, null, null);
  final Map<OpId, Obj> objects = new HashMap<>();
  final ItemTable items = new ItemTable();
  final Liveness liveness = new Liveness(this);

  // Both only read the state: one each serves every edit (an edit used to make its own).
  final Materializer materializer = new Materializer(this);
  final ConflictFinder conflictFinder = new ConflictFinder(this);

  // What changed since a StateImageCache's last capture; null while no cache is taking images.
  ChangeMarks marks;

  public DocState() {
    objects.put(OpId.ROOT, root);
  }

  public MapObj root() {
    return root;
  }

  public Liveness liveness() {
    return liveness;
  }

  public Obj object(OpId id) {
    return objects.get(id);
  }

  public Item item(OpId id) {
    return items.get(id);
  }

  public ReplicaTable replicas() {
    return replicas;
  }

  /** Thrown when an op refers to something this replica does not have. */
  public static final class InvalidOpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidOpException(String message) {
      super(message);
    }
  }

  /**
   * Applies op {@code id} of the change starting at {@code changeStart}, by {@code author} who had
   * seen {@code deps}.
   */
  public void apply(
      Op op,
      OpId id,
      long changeStart,
      VersionVector deps,
      Author author,
      long ts,
      UndoLog undo,
      Sites sites) {
    try {
      applyOp(op, id, changeStart, deps, author, ts, undo, sites);
    } finally {
      sites.invalidateDirty();
    }
  }

  private void applyOp(
      Op op,
      OpId id,
      long changeStart,
      VersionVector deps,
      Author author,
      long ts,
      UndoLog undo,
      Sites sites) {
    if (op instanceof Op.MapSet s) {
      MapObj m = target(s.target(), MapObj.class);
      sites.touchAncestors(m);
      Register reg = m.register(s.key(), undo);
      changing(reg);
      sites.add(reg);
      checkPred(reg, s.pred(), new Seen(deps, id, changeStart));
      scopeRetiredContainers(reg, s.pred(), sites);
      retire(
          reg,
          s.pred(),
          new Retirement(id, changeStart, Retirement.Kind.SET, deps, author, ts),
          undo);
      reg.add(newEntry(id, author, ts, s.value(), reg, undo), undo);
      m.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.MapDelete d) {
      MapObj m = target(d.target(), MapObj.class);
      sites.touchAncestors(m);
      Register reg = m.registers.get(d.key());
      changing(reg == null ? m : reg); // the map's aggregate records the op either way
      if (reg == null) {
        if (!d.pred().isEmpty()) {
          throw new InvalidOpException("delete of unknown key " + d.key());
        }
      } else {
        sites.add(reg);
        checkPred(reg, d.pred(), new Seen(deps, id, changeStart));
        scopeRetiredContainers(reg, d.pred(), sites);
        retire(
            reg,
            d.pred(),
            new Retirement(id, changeStart, Retirement.Kind.DELETE, deps, author, ts),
            undo);
      }
      m.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.ListInsert ins) {
      ListObj l = target(ins.target(), ListObj.class);
      sites.touchAncestors(l);
      checkOrigins(l.seq, ins.originLeft(), ins.originRight());
      Item item = new Item(id);
      changing(l);
      changing(item);
      items.put(item);
      undo.push(() -> items.remove(id));
      Position p = new Position(id, item, l);
      // The new element's own registers and aggregate need no inverses: a rollback takes the
      // element out of the table and the sequence (above, below), and nothing else reaches it.
      item.positions.add(new Entry(id, author, ts, null, p), null);
      item.value.add(newEntry(id, author, ts, ins.value(), item.value, undo), null);
      l.seq.insertPosition(p, ins.originLeft(), ins.originRight(), undo);
      item.agg.record(id, changeStart, deps, author, ts, replicas, null);
      l.agg.record(id, changeStart, deps, author, ts, replicas, undo);
      sites.add(item);
    } else if (op instanceof Op.ListSet s) {
      ListObj l = target(s.target(), ListObj.class);
      Item item = element(s.element());
      sites.touchAncestors(item);
      sites.touchAncestors(l); // the addressed list records the op, wherever the element is now
      changing(item);
      changing(l);
      sites.add(item.value);
      checkPred(item.value, s.pred(), new Seen(deps, id, changeStart));
      scopeRetiredContainers(item.value, s.pred(), sites);
      retire(
          item.value,
          s.pred(),
          new Retirement(id, changeStart, Retirement.Kind.SET, deps, author, ts),
          undo);
      item.value.add(newEntry(id, author, ts, s.value(), item.value, undo), undo);
      item.agg.record(id, changeStart, deps, author, ts, replicas, undo);
      l.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.ListDelete d) {
      ListObj l = target(d.target(), ListObj.class);
      Item item = element(d.element());
      sites.scope(item); // the element and everything in it may vanish
      sites.touchAncestors(item);
      sites.touchAncestors(l); // the addressed list records the op, wherever the element is now
      changing(item);
      changing(l);
      sites.add(item);
      checkPred(item.positions, d.pred(), new Seen(deps, id, changeStart));
      retire(
          item.positions,
          d.pred(),
          new Retirement(id, changeStart, Retirement.Kind.DELETE, deps, author, ts),
          undo);
      l.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.ListMove mv) {
      ListObj l = target(mv.target(), ListObj.class);
      Item item = element(mv.element());
      sites.scope(item); // into a list that does not show, or out of one
      sites.touchAncestors(item);
      sites.touchAncestors(l);
      changing(item);
      changing(l);
      sites.add(item);
      checkPred(item.positions, mv.pred(), new Seen(deps, id, changeStart));
      checkOrigins(l.seq, mv.originLeft(), mv.originRight());
      retire(
          item.positions,
          mv.pred(),
          new Retirement(id, changeStart, Retirement.Kind.MOVE, deps, author, ts),
          undo);
      Position p = new Position(id, item, l);
      item.positions.add(new Entry(id, author, ts, null, p), undo);
      l.seq.insertPosition(p, mv.originLeft(), mv.originRight(), undo);
      item.agg.record(id, changeStart, deps, author, ts, replicas, undo);
      l.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.TextInsert ins) {
      TextObj t = target(ins.target(), TextObj.class);
      sites.touchAncestors(t);
      changing(t);
      checkOrigins(t.seq, ins.originLeft(), ins.originRight());
      t.seq.insertText(id, ins.originLeft(), ins.originRight(), ins.text(), undo);
      t.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.TextDelete del) {
      TextObj t = target(del.target(), TextObj.class);
      sites.touchAncestors(t);
      changing(t);
      for (IdRange r : del.ranges()) {
        if (!t.seq.containsAll(r)) {
          throw new InvalidOpException("delete of unknown chars: " + r);
        }
        t.seq.hide(r, undo);
      }
      t.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.CounterAdd add) {
      CounterObj c = target(add.target(), CounterObj.class);
      sites.touchAncestors(c);
      changing(c);
      long before = c.value;
      try {
        c.value = Math.addExact(c.value, add.delta());
      } catch (ArithmeticException e) {
        throw new InvalidOpException("counter overflow");
      }
      undo.push(() -> c.value = before);
      c.agg.record(id, changeStart, deps, author, ts, replicas, undo);
    } else if (op instanceof Op.Keep k) {
      Obj o = objects.get(k.target());
      if (o instanceof MapObj m) {
        Register reg = m.registers.get(k.key());
        if (reg == null) {
          throw new InvalidOpException("keep of unknown key " + k.key());
        }
        sites.touchAncestors(m);
        changing(reg);
        sites.add(reg);
        checkPred(reg, k.pred(), new Seen(deps, id, changeStart));
        for (OpId kept : k.pred()) {
          Entry e = reg.find(kept);
          if (e.child != null) {
            sites.dirty(e.child);
            changing(e.child);
            e.child.agg.record(id, changeStart, deps, author, ts, replicas, undo);
          }
        }
        m.agg.record(id, changeStart, deps, author, ts, replicas, undo);
      } else if (o instanceof ListObj l) {
        Item item = element(parseId(k.key()));
        sites.touchAncestors(item);
        sites.touchAncestors(l); // the addressed list records the op, wherever the element is now
        changing(item);
        changing(l);
        sites.add(item);
        item.agg.record(id, changeStart, deps, author, ts, replicas, undo);
        l.agg.record(id, changeStart, deps, author, ts, replicas, undo);
      } else {
        throw new InvalidOpException("keep needs a map or list target: " + k.target());
      }
    } else {
      throw new InvalidOpException("unknown op " + op);
    }
  }

  /** {@code node} is about to change: marked for a {@link StateImageCache}, if one takes images. */
  void changing(Object node) {
    if (marks != null) {
      marks.mark(node);
    }
  }

  /**
   * A change was rolled back: its inverses put things back without marks, so nothing cached about
   * the state holds any more.
   */
  public void rolledBack() {
    liveness.invalidateAll();
    if (marks != null) {
      marks.markAll();
    }
  }

  private static OpId parseId(String s) {
    try {
      return OpId.parse(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidOpException(e.getMessage());
    }
  }

  private <T extends Obj> T target(OpId id, Class<T> type) {
    Obj o = objects.get(id);
    if (o == null) {
      throw new InvalidOpException("unknown object " + id);
    }
    if (!type.isInstance(o)) {
      throw new InvalidOpException(
          "object " + id + " is a " + o.type().wireName() + ", not a " + type.getSimpleName());
    }
    return type.cast(o);
  }

  private Item element(OpId id) {
    Item item = items.get(id);
    if (item == null) {
      throw new InvalidOpException("unknown list element " + id);
    }
    return item;
  }

  private static void checkOrigins(Sequence seq, OpId left, OpId right) {
    if ((left != null && !seq.contains(left)) || (right != null && !seq.contains(right))) {
      throw new InvalidOpException("unknown insert origin " + left + " / " + right);
    }
  }

  /** A writer can only supersede what it had seen, and only what exists. */
  private static void checkPred(Register reg, List<OpId> pred, Seen seen) {
    for (int i = 0; i < pred.size(); i++) { // indexed: see Register.find
      OpId p = pred.get(i);
      if (!seen.test(p) || reg.find(p) == null) {
        throw new InvalidOpException("pred " + p + " not seen or not in this register");
      }
    }
  }

  /** What the writer of op {@code id} had seen: its view plus the earlier ops of its change. */
  private record Seen(VersionVector deps, OpId id, long changeStart) {
    boolean test(OpId x) {
      return deps.includes(x)
          || (x.replica().equals(id.replica())
              && x.counter() >= changeStart
              && x.counter() < id.counter());
    }
  }

  /** Retiring a container can hide a whole subtree, and its conflicts with it. */
  private static void scopeRetiredContainers(Register reg, List<OpId> pred, Sites sites) {
    for (OpId p : pred) {
      Entry e = reg.find(p);
      if (e != null && e.child != null) {
        sites.scope(e.child);
      }
    }
  }

  private static void retire(Register reg, List<OpId> pred, Retirement r, UndoLog undo) {
    for (int i = 0; i < pred.size(); i++) { // indexed: see Register.find
      Entry e = reg.find(pred.get(i));
      e.retire(r, undo);
      reg.settleRetired(e, undo);
    }
  }

  private Entry newEntry(
      OpId id, Author author, long ts, Content content, Register reg, UndoLog undo) {
    Entry e = new Entry(id, author, ts, content, null);
    if (content instanceof Content.New n) {
      if (objects.containsKey(id)) {
        throw new InvalidOpException("object " + id + " exists already");
      }
      Obj child =
          switch (n.type()) {
            case MAP -> new MapObj(id, e, reg);
            case LIST -> new ListObj(id, e, reg);
            case TEXT -> new TextObj(id, e, reg);
            case COUNTER -> new CounterObj(id, e, reg);
          };
      e.child = child;
      objects.put(id, child);
      undo.push(() -> objects.remove(id));
    }
    return e;
  }

  /**
   * Retained sizes: objects, elements, register values, sequence runs, tombstone atoms, tombstone
   * chars still holding text.
   */
  public int[] counts() {
    int[] c = new int[6];
    c[0] = objects.size();
    c[1] = items.size();
    for (Obj o : objects.values()) {
      if (o instanceof MapObj m) {
        for (Register r : m.registers.values()) {
          c[2] += r.all().size();
        }
      } else if (o instanceof ListObj l) {
        l.seq.forEachRun(
            r -> {
              c[3]++;
              if (r.position == null) {
                c[4]++;
              }
            });
      } else if (o instanceof TextObj t) {
        t.seq.forEachRun(
            r -> {
              c[3]++;
              if (!r.visible) {
                c[4] += r.len;
                if (r.textAt >= 0) {
                  c[5] += r.len;
                }
              }
            });
      }
    }
    for (Item i : items.values()) {
      c[2] += i.value.all().size() + i.positions.entries.size();
    }
    return c;
  }

  /** The container type of object {@code id}, or null. */
  public Container typeOf(OpId id) {
    Obj o = objects.get(id);
    return o == null ? null : o.type();
  }
}
