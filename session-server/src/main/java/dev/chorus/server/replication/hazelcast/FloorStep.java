package dev.chorus.server.replication.hazelcast;

import com.hazelcast.map.EntryProcessor;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.replication.FloorAgreement;
import java.util.Map;

/**
 * One step of a session's {@link FloorAgreement}, run by Hazelcast on the member owning the
 * session's entry (and again, alike, on its backup): the step, then {@link FloorAgreement#settle}.
 * The caller's clock is carried along ({@code now}) so that primary and backup compute the same
 * state. An entry with no holder, no open round and no floor is removed.
 *
 * @param kind what happened
 * @param replica the replica it happened to
 * @param token the replica's load (register, unregister)
 * @param round the round acked (ack)
 * @param version the candidate (propose) or the replica's version (ack), codec text
 * @param now the caller's wall-clock time
 * @param graceMs how long a round waits for a departed member
 * @param timeoutMs after how long an open round may be replaced by a new proposal
 */
record FloorStep(
    Kind kind,
    String replica,
    String token,
    long round,
    String version,
    long now,
    long graceMs,
    long timeoutMs)
    implements EntryProcessor<String, FloorAgreement, FloorAgreement> {

  enum Kind {
    REGISTER,
    UNREGISTER,
    DEPARTED,
    PROPOSE,
    ACK,
    READ
  }

  @Override
  public FloorAgreement process(Map.Entry<String, FloorAgreement> entry) {
    FloorAgreement before = entry.getValue() == null ? FloorAgreement.EMPTY : entry.getValue();
    FloorAgreement after =
        switch (kind) {
          case REGISTER -> before.register(replica, token);
          case UNREGISTER -> before.unregister(replica, token);
          case DEPARTED -> before.departed(replica, now);
          case PROPOSE -> before.propose(VersionVector.parse(version), now, timeoutMs);
          case ACK -> before.ack(replica, round, VersionVector.parse(version));
          case READ -> before;
        };
    after = after.settle(now, graceMs);
    if (after.holders().isEmpty() && !after.open() && after.floor().isEmpty()) {
      if (entry.getValue() != null) {
        entry.setValue(null);
      }
    } else if (!after.equals(entry.getValue())) {
      entry.setValue(after);
    }
    return after;
  }
}
