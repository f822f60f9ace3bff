package dev.chorus.crdt.op;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import java.util.List;
import java.util.Objects;

/**
 * The unit of replication: the ops one writer made in one batch, as one replica recorded them.
 *
 * <p>{@code deps} is the version the writer had seen ({@code basedOn}); every op of the change
 * supersedes only what that version included. A replica applies the change once it has everything
 * in {@code deps} and this replica's previous change, which ends at {@code prevCounter}.
 *
 * @param replica the replica that recorded the change
 * @param prevCounter the last counter of {@code replica}'s previous change (0 if none)
 * @param startCounter the counter of the first op; greater than every counter the replica knew
 * @param deps what the writer had seen
 * @param author who made it
 * @param timestamp wall-clock millis at the recording replica, for display only
 * @param ops the operations, ids consecutive from {@code startCounter}
 */
public record Change(
    String replica,
    long prevCounter,
    long startCounter,
    VersionVector deps,
    Author author,
    long timestamp,
    List<Op> ops) {

  public Change {
    Objects.requireNonNull(replica, "replica");
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
    if (deps.get(replica) > prevCounter) {
      throw new IllegalArgumentException("deps include ops of " + replica + " after prevCounter");
    }
  }

  public OpId id() {
    return new OpId(startCounter, replica);
  }

  /** The counter of the last op id this change takes. */
  public long endCounter() {
    long w = 0;
    for (Op op : ops) {
      w += op.width();
    }
    return startCounter + w - 1;
  }
}
