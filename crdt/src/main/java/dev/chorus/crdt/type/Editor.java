package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.DocException.Code;
import dev.chorus.crdt.Edit;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a writer's intents into ops, resolving every path and every {@code pred} against what the
 * writer had seen ({@code basedOn}, plus the ops of this very edit), and applies each op at once so
 * later intents of the same edit can build on earlier ones. All of it is undone if any intent
 * fails.
 */
public final class Editor implements Edit {
  private final DocState st;
  private final String replica;
  // One edit's view and bookkeeping, set by begin: a replica's edits reuse one Editor (every
  // keystroke is an edit, and a new Editor with its op list was a tenth of what typing allocated).
  private final WriterView view;
  private VersionVector basedOn;
  private Author author;
  private long ts;
  private long start;
  private long next;
  private UndoLog undo;
  private Sites sites;
  private final List<Op> ops = new ArrayList<>(2);

  /** An editor of {@code st} for ops made on {@code replica}; {@link #begin} starts each edit. */
  public Editor(DocState st, String replica) {
    this.st = st;
    this.replica = replica;
    this.view = new WriterView(st, replica);
  }

  /**
   * Starts an edit by a writer who had seen {@code basedOn} ({@code sawAll}: everything this
   * replica has), its ops numbered from {@code startCounter}; forgets the previous edit's ops.
   */
  public Editor begin(
      VersionVector basedOn,
      boolean sawAll,
      Author author,
      long ts,
      long startCounter,
      UndoLog undo,
      Sites sites) {
    view.begin(basedOn, sawAll, startCounter);
    this.basedOn = basedOn;
    this.author = author;
    this.ts = ts;
    this.start = startCounter;
    this.next = startCounter;
    this.undo = undo;
    this.sites = sites;
    ops.clear();
    return this;
  }

  /** The ops of the current edit, in order, as an immutable list (what a change keeps). */
  public List<Op> ops() {
    // One op (a keystroke) as List.of: the change keeps it as it is instead of copying it.
    return ops.size() == 1 ? List.of(ops.get(0)) : List.copyOf(ops);
  }

  /** Whether the current edit made no op. */
  public boolean isEmpty() {
    return ops.isEmpty();
  }

  // ---- intents -----------------------------------------------------------------------------

  @Override
  public void set(Path path, Object value) {
    WriterView.Slot slot = view.slot(path);
    if (slot.map() != null) {
      Register reg = slot.map().registers.get(slot.key());
      List<OpId> pred = reg == null ? List.of() : view.seenValues(reg);
      OpId id = emit(new Op.MapSet(slot.map().id, slot.key(), content(value), pred));
      fill(id, value);
    } else {
      Item item = slot.item();
      OpId id =
          emit(
              new Op.ListSet(slot.list().id, item.id, content(value), view.seenValues(item.value)));
      fill(id, value);
    }
  }

  @Override
  public void delete(Path path) {
    WriterView.Slot slot = view.slot(path);
    if (slot.map() != null) {
      Register reg = slot.map().registers.get(slot.key());
      List<OpId> pred = reg == null ? List.of() : view.seenValues(reg);
      if (pred.isEmpty()) {
        throw new DocException(Code.PATH_NOT_FOUND, "nothing to delete at " + path);
      }
      emit(new Op.MapDelete(slot.map().id, slot.key(), pred));
    } else {
      emit(
          new Op.ListDelete(
              slot.list().id, slot.item().id, view.seenValues(slot.item().positions)));
    }
  }

  @Override
  public String insert(Path list, String afterId, Object value) {
    ListObj l = view.container(list, ListObj.class, Code.NOT_A_LIST);
    OpId left = null;
    OpId right;
    if (afterId != null) {
      Position after = view.seenPosition(l, afterId, list);
      left = after.id;
      right = l.seq.positionAfter(after.run);
    } else {
      right = firstAtom(l.seq);
    }
    OpId id = emit(new Op.ListInsert(l.id, left, right, content(value)));
    fill(id, value);
    return id.toString();
  }

  @Override
  public String append(Path list, Object value) {
    ListObj l = view.container(list, ListObj.class, Code.NOT_A_LIST);
    OpId id = emit(new Op.ListInsert(l.id, lastAtom(l.seq), null, content(value)));
    fill(id, value);
    return id.toString();
  }

  @Override
  public void move(Path element, Path targetList, String afterId) {
    WriterView.Slot slot = view.slot(element);
    if (slot.item() == null) {
      throw new DocException(Code.NOT_A_LIST, "only list elements move: " + element);
    }
    ListObj target = view.container(targetList, ListObj.class, Code.NOT_A_LIST);
    if (inside(target, slot.item())) {
      throw new DocException(Code.MOVE_INTO_SELF, "cannot move " + element + " into itself");
    }
    OpId left = null;
    OpId right;
    if (afterId != null) {
      Position at = view.seenPosition(target, afterId, targetList);
      if (at.item == slot.item()) {
        throw new DocException(Code.MOVE_INTO_SELF, "cannot move an element after itself");
      }
      left = at.id;
      right = target.seq.positionAfter(at.run);
    } else {
      right = firstAtom(target.seq);
    }
    List<OpId> pred = view.seenValues(slot.item().positions);
    emit(new Op.ListMove(target.id, slot.item().id, left, right, pred));
  }

  @Override
  public void increment(Path counter, long delta) {
    CounterObj c = view.container(counter, CounterObj.class, Code.NOT_A_COUNTER);
    emit(new Op.CounterAdd(c.id, delta));
  }

  @Override
  public void spliceText(Path text, int index, int deleteCount, String insert) {
    TextObj t = view.container(text, TextObj.class, Code.NOT_A_TEXT);
    int len = t.seq.visibleLength();
    if (index < 0 || deleteCount < 0 || index > len || deleteCount > len - index) {
      throw new DocException(
          Code.INDEX_OUT_OF_RANGE,
          "splice at " + index + " deleting " + deleteCount + " of a text of length " + len);
    }
    if (deleteCount > 0) {
      emit(new Op.TextDelete(t.id, t.seq.visibleRanges(index, deleteCount)));
    }
    if (insert != null && !insert.isEmpty()) {
      OpId left;
      OpId right;
      if (index == 0) {
        left = null;
        right = firstAtom(t.seq);
      } else {
        Sequence.Locate at = t.seq.locateVisible(index - 1);
        left = at.run().id(at.offset());
        right = t.seq.atomAfter(at.run(), at.offset());
      }
      emit(new Op.TextInsert(t.id, left, right, insert));
    }
  }

  @Override
  public void keep(Path path) {
    WriterView.Slot slot = view.slot(path);
    if (slot.map() != null) {
      Register reg = slot.map().registers.get(slot.key());
      List<OpId> kept = reg == null ? List.of() : view.seenValues(reg);
      if (kept.isEmpty()) {
        throw new DocException(Code.PATH_NOT_FOUND, "nothing to keep at " + path);
      }
      emit(new Op.Keep(slot.map().id, slot.key(), kept));
    } else {
      emit(new Op.Keep(slot.list().id, slot.item().id.toString(), List.of()));
    }
  }

  // ---- ops ---------------------------------------------------------------------------------

  private OpId emit(Op op) {
    OpId id = new OpId(next, replica);
    try {
      st.apply(op, id, start, basedOn, author, ts, undo, sites);
    } catch (DocState.InvalidOpException e) {
      throw new DocException(Code.INVALID_VALUE, e.getMessage());
    }
    ops.add(op);
    next += op.width();
    return id;
  }

  /** After an assignment that created a container from a Map or List, fills it. */
  private void fill(OpId container, Object value) {
    if (value instanceof Map<?, ?> m) {
      // Sorted, so the same value always becomes the same ops (Map.of iterates randomly).
      java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new DocException(Code.INVALID_VALUE, "map keys must be strings: " + e.getKey());
        }
        sorted.put(key, e.getValue());
      }
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        OpId id = emit(new Op.MapSet(container, e.getKey(), content(e.getValue()), List.of()));
        fill(id, e.getValue());
      }
    } else if (value instanceof List<?> l) {
      OpId left = null;
      for (Object v : l) {
        left = emit(new Op.ListInsert(container, left, null, content(v)));
        fill(left, v);
      }
    }
  }

  private static Content content(Object value) {
    if (value instanceof Container c) {
      return new Content.New(c);
    }
    if (value instanceof Map<?, ?>) {
      return new Content.New(Container.MAP);
    }
    if (value instanceof List<?>) {
      return new Content.New(Container.LIST);
    }
    try {
      return new Content.Scalar(value);
    } catch (IllegalArgumentException e) {
      throw new DocException(Code.INVALID_VALUE, e.getMessage());
    }
  }

  /** Whether list {@code l} lies inside element {@code item}. */
  private boolean inside(ListObj l, Item item) {
    Materializer mat = st.materializer;
    Obj o = l;
    for (int depth = 0; o != st.root && depth < 256; depth++) {
      Register reg = o.holderRegister;
      if (reg.item == item) {
        return true;
      }
      if (reg.map != null) {
        o = reg.map;
      } else {
        ListObj up = mat.listOf(reg.item);
        if (up == null) {
          return false;
        }
        o = up;
      }
    }
    return false;
  }

  private static OpId firstAtom(Sequence seq) {
    Run r = seq.first();
    return r == null ? null : r.id(0);
  }

  private static OpId lastAtom(Sequence seq) {
    Run last = seq.last();
    return last == null ? null : last.id(last.len - 1);
  }
}
