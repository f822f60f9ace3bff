package dev.chorus.crdt;

import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import java.util.List;

/** Told of every change a {@link Doc} applies, local or remote, in order, on the doc's thread. */
@FunctionalInterface
public interface DocListener {
  void onApplied(Change change, List<ConflictEvent> events);
}
