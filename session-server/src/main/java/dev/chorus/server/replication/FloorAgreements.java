package dev.chorus.server.replication;

import dev.chorus.crdt.clock.VersionVector;
import io.vertx.core.Future;

/**
 * Where the replicas of a cluster keep each session's {@link FloorAgreement} (SPI): who holds the
 * session, the open round, the agreed compaction floor. The cluster implementation is {@code
 * replication.hazelcast.HazelcastFloorAgreements}; a single node needs none (it is its sessions'
 * only replica and compacts on its own).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>No method blocks; futures complete on the caller's Vert.x context with the agreement as it
 *       is after the step (a round is agreed as soon as it can be: every step settles it).
 *   <li>Each step changes one session's agreement atomically; steps of different replicas on one
 *       session are applied one at a time, in some order.
 *   <li>A replica whose member leaves the cluster is reported {@link FloorAgreement#departed} by
 *       the implementation itself.
 * </ol>
 */
public interface FloorAgreements {

  /** This replica loaded the session (load {@code token}); see {@link FloorAgreement#register}. */
  Future<FloorAgreement> register(String sessionId, String token);

  /**
   * This replica unloaded the session (best effort: a member that leaves is departed anyway, only
   * later); the future completes, failed or not, once the step is done.
   */
  Future<Void> unregister(String sessionId, String token);

  /** Proposes a floor; see {@link FloorAgreement#propose}. */
  Future<FloorAgreement> propose(String sessionId, VersionVector candidate);

  /** Acks round {@code round} with this replica's version; see {@link FloorAgreement#ack}. */
  Future<FloorAgreement> ack(String sessionId, long round, VersionVector version);

  /** The agreement now (settled first). */
  Future<FloorAgreement> read(String sessionId);
}
