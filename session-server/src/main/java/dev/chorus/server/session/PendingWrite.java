package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.protocol.Frames;
import java.util.List;

/**
 * A batch applied in memory and waiting to be durable: what the commit writes and what is published
 * once it is. The JSON parts are encoded once, when the batch is applied, and copied from then on
 * (store row, op-log entry, change frame).
 *
 * @param changeJson the CRDT change, codec JSON
 * @param opsJson the client ops as applied (JSON array)
 * @param version the version right after the change
 * @param view {@code stateHash} and {@code doc} right after the change, for participants that want
 *     snapshots (null if none did when it was applied)
 * @param origin the participant that sent it (null: REST or the server itself)
 */
record PendingWrite(
    Frames.Batch batch,
    Author author,
    Change change,
    String changeJson,
    String opsJson,
    VersionVector version,
    List<ConflictEvent> events,
    ObjectNode view,
    Idempotency.Outcome outcome,
    Participant origin,
    long seq,
    long startNanos) {

  /** Whether the write records its batch (server-made writes, such as lease releases, do not). */
  boolean recordsBatch() {
    return !author.equals(Session.SERVER);
  }

  BatchResult result() {
    return outcome.resultIfDone();
  }
}
