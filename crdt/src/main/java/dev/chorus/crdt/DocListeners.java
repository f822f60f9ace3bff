package dev.chorus.crdt;

import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The {@link DocListener}s of a {@link Doc}, told of each applied change in order. Copy-on-write:
 * adding or removing a listener, even from a listener, never disturbs a notification under way, and
 * the set rarely changes while changes are applied all the time.
 */
final class DocListeners {
  private final List<DocListener> listeners = new CopyOnWriteArrayList<>();

  void add(DocListener l) {
    listeners.add(l);
  }

  void remove(DocListener l) {
    listeners.remove(l);
  }

  void applied(Change c, List<ConflictEvent> events) {
    if (listeners.isEmpty()) {
      return; // no iterator to make: a replica replaying a trace has nobody listening
    }
    for (DocListener l : listeners) {
      l.onApplied(c, events);
    }
  }
}
