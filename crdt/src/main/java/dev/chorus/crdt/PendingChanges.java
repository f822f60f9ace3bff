package dev.chorus.crdt;

import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The changes a {@link Doc} received before their dependencies, in arrival order, each once: they
 * are applied as soon as what they depend on is in (causal delivery).
 */
final class PendingChanges {
  private final List<Change> waiting = new ArrayList<>();

  /** Keeps {@code c} until it can be applied, unless it waits already. */
  void add(Change c) {
    for (Change p : waiting) {
      if (p.replica().equals(c.replica()) && p.startCounter() == c.startCounter()) {
        return;
      }
    }
    waiting.add(c);
  }

  void addAll(List<Change> changes) {
    waiting.addAll(changes);
  }

  /**
   * Applies every waiting change that has become {@code deliverable}, again until none is; forgets
   * the ones {@code applied} already, and the ones {@code apply} refuses with a {@link
   * DocException} (the change just delivered succeeded, so its caller is not the one to blame).
   */
  void drain(Predicate<Change> applied, Predicate<Change> deliverable, Consumer<Change> apply) {
    boolean progress = true;
    while (progress) {
      progress = false;
      for (Iterator<Change> it = waiting.iterator(); it.hasNext(); ) {
        Change p = it.next();
        if (applied.test(p)) {
          it.remove();
        } else if (deliverable.test(p)) {
          it.remove();
          try {
            apply.accept(p);
          } catch (DocException e) {
            continue;
          }
          progress = true;
        }
      }
    }
  }

  List<Change> list() {
    return List.copyOf(waiting);
  }

  int size() {
    return waiting.size();
  }
}
