package dev.chorus.crdt.op;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import java.util.List;
import java.util.Objects;

/**
 * The unit of replication: the ops one writer made in one batch, as one replica recorded them.
 *
 * <p>Two versions travel with it. {@code basedOn} is what the writer had seen: every op of the
 * change supersedes only what that version included, so a write made on a stale view never
 * overwrites what its author did not see. {@code deps} is everything the recording replica had
 * applied (its own previous change ends at {@code prevCounter}); ops may refer to any of it (list
 * neighbours, chars), so a replica applies the change once it has all of {@code deps}.
 *
 * @param replica the replica that recorded the change
 * @param prevCounter the last counter of {@code replica}'s previous change (0 if none)
 * @param startCounter the counter of the first op; greater than every counter the replica knew
 * @param basedOn what the writer had seen
 * @param deps what the recording replica had applied: the causal-delivery condition
 * @param author who made it
 * @param timestamp wall-clock millis at the recording replica, for display only
 * @param ops the operations, ids consecutive from {@code startCounter}
 */
public record Change(
    String replica,
    long prevCounter,
    long startCounter,
    VersionVector basedOn,
    VersionVector deps,
    Author author,
    long timestamp,
    List<Op> ops) {

  public Change {
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(basedOn, "basedOn");
    Objects.requireNonNull(deps, "deps");
    Objects.requireNonNull(author, "author");
    ops = List.copyOf(ops);
    if (ops.isEmpty()) {
      throw new IllegalArgumentException("a change has at least one op");
    }
    if (startCounter <= prevCounter || prevCounter < 0) {
      throw new IllegalArgumentException(
          "startCounter " + startCounter + " must exceed prevCounter " + prevCounter);
    }
    if (deps.get(replica) != prevCounter) {
      throw new IllegalArgumentException(
          "deps must hold exactly " + replica + "'s previous change (" + prevCounter + ")");
    }
    if (!deps.dominates(basedOn)) {
      throw new IllegalArgumentException("basedOn " + basedOn + " is not within deps " + deps);
    }
  }

  public OpId id() {
    return new OpId(startCounter, replica);
  }

  /** The counter of the last op id this change takes. */
  public long endCounter() {
    long w = 0;
    for (int i = 0; i < ops.size(); i++) { // indexed: the for-each's iterator was made every edit
      w += ops.get(i).width();
    }
    return startCounter + w - 1;
  }
}
