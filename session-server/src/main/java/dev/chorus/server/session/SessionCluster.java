package dev.chorus.server.session;

import dev.chorus.crdt.clock.VersionVector;
import io.vertx.core.Context;
import io.vertx.core.Future;

/**
 * A session's part in the cluster: its link to the other replicas ({@link ReplicaLink}), its
 * catch-up rounds ({@link CatchUp}) and, where the cluster compacts, its part in agreeing a
 * compaction floor ({@link ClusterFloor}; null otherwise). The registry drives these from
 * membership changes and the anti-entropy timer; on the session's context, but for {@link #detach}.
 */
final class SessionCluster {
  private final Context context;
  private final ReplicaLink replicas;
  private final CatchUp catchUp;
  private final ClusterFloor floor;

  SessionCluster(Context context, ReplicaLink replicas, CatchUp catchUp, ClusterFloor floor) {
    this.context = context;
    this.replicas = replicas;
    this.catchUp = catchUp;
    this.floor = floor;
  }

  /** Its link to the other replicas. */
  ReplicaLink replicas() {
    return replicas;
  }

  /**
   * Hears the other replicas, and registers this one as a holder of the session in the compaction
   * agreement and takes its fence (before the session serves); the future completes at once where
   * there is no agreement.
   */
  Future<Void> attach() {
    replicas.attach();
    return floor == null ? Future.succeededFuture() : floor.register();
  }

  /** Stops hearing from the other replicas (unloaded). Any thread. */
  void detach() {
    replicas.detach();
    context.runOnContext(
        v -> {
          catchUp.close();
          if (floor != null) {
            floor.unregister();
          }
        });
  }

  /** A catch-up round (see {@link CatchUp}); completes on the session's context. */
  Future<Void> catchUp() {
    return catchUp.request();
  }

  /** A catch-up round bounded by {@code waitMs} (a resuming client's welcome waits for it). */
  Future<Void> catchUpWithin(long waitMs) {
    return catchUp.requestWithin(waitMs);
  }

  /** A replica left the cluster: drop its presence and catch up with what it may have written. */
  void replicaLeft(String replica) {
    replicas.replicaLeft(replica);
    catchUp.request();
  }

  /** Whether a catch-up round is running (the session is not idle). */
  boolean busy() {
    return catchUp.busy();
  }

  /** A snapshot found {@code candidate} old enough to compact below: propose it to the others. */
  void proposeFloor(VersionVector candidate) {
    floor.propose(candidate);
  }

  /** Reads the compaction agreement and acts on it (periodically). */
  void pollFloor() {
    if (floor != null) {
      floor.poll();
    }
  }

  /**
   * Leaves the compaction agreement (the node stops, everything committed): rounds stop waiting for
   * this replica at once instead of after the grace.
   */
  Future<Void> leaveFloor() {
    return floor == null ? Future.succeededFuture() : floor.unregister();
  }
}
