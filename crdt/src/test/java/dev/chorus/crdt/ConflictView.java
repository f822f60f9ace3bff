package dev.chorus.crdt;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.conflict.Intent;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a client that only listens to conflict events believes is open: ids and the ops of their
 * intents. Tests compare it with {@link Doc#conflicts()} to prove the events are complete.
 */
final class ConflictView implements DocListener {
  private final Map<String, List<OpId>> open = new TreeMap<>();

  ConflictView(Doc doc) {
    open.putAll(of(doc.conflicts()));
    doc.addListener(this);
  }

  @Override
  public void onApplied(dev.chorus.crdt.op.Change change, List<ConflictEvent> events) {
    for (ConflictEvent e : events) {
      if (e instanceof ConflictEvent.Opened) {
        open.put(e.conflict().id(), ops(e.conflict()));
      } else {
        open.remove(e.conflict().id());
      }
    }
  }

  Map<String, List<OpId>> open() {
    return open;
  }

  static Map<String, List<OpId>> of(List<Conflict> conflicts) {
    Map<String, List<OpId>> out = new TreeMap<>();
    conflicts.forEach(c -> out.put(c.id(), ops(c)));
    return out;
  }

  private static List<OpId> ops(Conflict c) {
    return c.intents().stream().map(Intent::op).toList();
  }
}
