package dev.chorus.crdt.type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What changed in a state since a {@link StateImageCache} last captured it: every object, map
 * register and list element an op changed, each with everything that holds it in an image — the
 * register that holds an object, the map or element that holds a register, up to the root map or to
 * an element (elements are imaged apart, not inside their list). What is not marked has the image
 * it had at the last capture.
 *
 * <p>An op marks what it changes before changing it ({@link DocState}), and so does a compaction
 * ({@link Compactor}); a change that is rolled back marks everything ({@link #markAll}): its
 * inverses put things back unmarked, which a capture taken in the middle of the change would miss.
 *
 * <p>Marking stops at the first node marked already, since its holders are marked too: an op costs
 * a look-up or two, and memory grows with what changed, not with the document. Only a state with a
 * cache keeps marks ({@link DocState#marks} is null otherwise).
 */
final class ChangeMarks {
  private Set<Object> marked = newSet();
  private List<Item> items = new ArrayList<>();
  private boolean all;

  /** {@code node} (an {@link Obj}, {@link Register} or {@link Item}) is about to change. */
  void mark(Object node) {
    if (all) {
      return;
    }
    Object x = node;
    while (x != null && marked.add(x)) {
      if (x instanceof Item item) {
        items.add(item);
        return;
      }
      x = x instanceof Register r ? (r.map != null ? r.map : r.item) : ((Obj) x).holderRegister;
    }
  }

  /** Everything counts as changed until the next capture. */
  void markAll() {
    clear();
    all = true;
  }

  boolean all() {
    return all;
  }

  boolean has(Object node) {
    return all || marked.contains(node);
  }

  /** The elements marked, in the order they were first marked. */
  List<Item> items() {
    return items;
  }

  /** A capture was taken: nothing has changed since. */
  void clear() {
    all = false;
    // anew, not cleared: what a large batch grew would keep its table (clear() keeps it)
    marked = newSet();
    items = new ArrayList<>();
  }

  private static Set<Object> newSet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }
}
