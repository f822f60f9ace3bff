package dev.chorus.server.replication.hazelcast;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.map.IMap;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.replication.FloorAgreement;
import dev.chorus.server.replication.FloorAgreements;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link FloorAgreements} of a cluster: one entry per session in the Hazelcast map {@value
 * #MAP} (with the map's synchronous backup), changed only by {@link FloorStep} entry processors, so
 * each step is atomic on the member owning the entry. Nothing else of a session is kept in
 * Hazelcast. When a member leaves, the oldest remaining member reports its replica departed in
 * every entry (one pass over the map, on the members owning the entries).
 *
 * <p>Why not Hazelcast's CP subsystem (a {@code FencedLock}, {@code CPMap}): its consistency needs
 * at least three CP members (with none configured it runs in an "unsafe" mode without Raft), a
 * cluster of two nodes could not use it, and a lock held by a crashed member has to time out; an
 * entry processor on a partitioned map gives the one thing the agreement needs — one session's
 * steps applied one at a time — with the members that already run.
 *
 * <p>Threads: entry processors run on Hazelcast partition threads; futures complete on the caller's
 * Vert.x context.
 */
public final class HazelcastFloorAgreements implements FloorAgreements {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastFloorAgreements.class);

  /** The map holding every session's agreement. */
  static final String MAP = "chorus.floors";

  private final Vertx vertx;
  private final String replicaId;
  private final long graceMs;
  private final long timeoutMs;
  private final IMap<String, FloorAgreement> map;

  /**
   * @param graceMs how long a round waits for a holder whose member left
   * @param timeoutMs after how long an open round may be replaced by a new proposal
   */
  public HazelcastFloorAgreements(
      HazelcastMember member, Vertx vertx, String replicaId, long graceMs, long timeoutMs) {
    this.vertx = vertx;
    this.replicaId = replicaId;
    this.graceMs = graceMs;
    this.timeoutMs = timeoutMs;
    this.map = member.instance().getMap(MAP);
    member
        .instance()
        .getCluster()
        .addMembershipListener(
            new MembershipListener() {
              @Override
              public void memberAdded(MembershipEvent e) {}

              @Override
              public void memberRemoved(MembershipEvent e) {
                String replica = e.getMember().getAttribute(HazelcastMember.REPLICA_ATTRIBUTE);
                boolean oldest =
                    !e.getMembers().isEmpty() && e.getMembers().iterator().next().localMember();
                if (replica != null && oldest) {
                  departed(replica);
                }
              }
            });
  }

  private FloorStep step(FloorStep.Kind kind, String token, long round, String version) {
    return new FloorStep(
        kind, replicaId, token, round, version, System.currentTimeMillis(), graceMs, timeoutMs);
  }

  private void departed(String replica) {
    FloorStep s =
        new FloorStep(
            FloorStep.Kind.DEPARTED,
            replica,
            null,
            0,
            null,
            System.currentTimeMillis(),
            graceMs,
            timeoutMs);
    try {
      // a pass over the map blocks: not on Hazelcast's event thread
      vertx.executeBlocking(
          () -> {
            try {
              map.executeOnEntries(s);
            } catch (RuntimeException ex) {
              LOG.warn("reporting {} departed failed: {}", replica, ex.toString());
            }
            return null;
          },
          false);
    } catch (RuntimeException e) {
      LOG.debug("reporting {} departed failed (stopping): {}", replica, e.toString());
    }
  }

  private Future<FloorAgreement> submit(String sessionId, FloorStep s) {
    Context c =
        Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
    Promise<FloorAgreement> p = Promise.promise();
    try {
      map.submitToKey(sessionId, s)
          .whenComplete(
              (a, t) ->
                  c.runOnContext(
                      v -> {
                        if (t != null) {
                          p.fail(t);
                        } else {
                          p.complete(a);
                        }
                      }));
    } catch (RuntimeException e) {
      p.fail(e);
    }
    return p.future();
  }

  @Override
  public Future<FloorAgreement> register(String sessionId, String token) {
    return submit(sessionId, step(FloorStep.Kind.REGISTER, token, 0, null));
  }

  @Override
  public Future<Void> unregister(String sessionId, String token) {
    return submit(sessionId, step(FloorStep.Kind.UNREGISTER, token, 0, null))
        .onFailure(t -> LOG.debug("unregistering {} failed: {}", sessionId, t.toString()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  @Override
  public Future<FloorAgreement> propose(String sessionId, VersionVector candidate) {
    return submit(sessionId, step(FloorStep.Kind.PROPOSE, null, 0, candidate.toString()));
  }

  @Override
  public Future<FloorAgreement> ack(String sessionId, long round, VersionVector version) {
    return submit(sessionId, step(FloorStep.Kind.ACK, null, round, version.toString()));
  }

  @Override
  public Future<FloorAgreement> read(String sessionId) {
    return submit(sessionId, step(FloorStep.Kind.READ, null, 0, null));
  }
}
