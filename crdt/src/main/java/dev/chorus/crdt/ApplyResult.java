package dev.chorus.crdt;

import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import java.util.List;

/**
 * What {@link Doc#apply} did: the changes it applied (the given one and any buffered ones it
 * unblocked, in order; none if the change was a duplicate or is waiting for its dependencies) and
 * the conflict events they caused.
 */
public record ApplyResult(List<Change> applied, List<ConflictEvent> events, boolean buffered) {
  public ApplyResult {
    applied = List.copyOf(applied);
    events = List.copyOf(events);
  }
}
