package dev.chorus.server.session;

import dev.chorus.crdt.clock.VersionVector;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.BooleanSupplier;

/**
 * A session's part in the cluster: its link to the other replicas ({@link ReplicaLink}), its
 * catch-up rounds ({@link CatchUp}) and, where the cluster compacts, its part in agreeing a
 * compaction floor ({@link ClusterFloor}; null otherwise). The registry drives these from
 * membership changes and the anti-entropy timer; on the session's context, but for {@link #detach}.
 */
final class SessionCluster {
  /** Longest a resuming client's welcome waits for a catch-up round. */
  static final long CATCH_UP_WAIT_MS = 15_000;

  private final Context context;
  private final boolean clustered;
  private final BooleanSupplier broken;
  private final ReplicaLink replicas;
  private final CatchUp catchUp;
  private final ClusterFloor floor;

  SessionCluster(
      Context context,
      boolean clustered,
      BooleanSupplier broken,
      ReplicaLink replicas,
      CatchUp catchUp,
      ClusterFloor floor) {
    this.context = context;
    this.clustered = clustered;
    this.broken = broken;
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

  /**
   * What a client resuming from a version ({@code since}) waits for before its welcome: in a
   * cluster, a catch-up round (bounded) — it may come from another node that had changes this one
   * has not received yet, and its welcome must hold exactly what it missed, and a batch it re-sends
   * must be recognised if that node had applied it. Nothing otherwise.
   */
  Future<Void> beforeResume(String since) {
    return since == null || !clustered
        ? Future.succeededFuture()
        : catchUp.requestWithin(CATCH_UP_WAIT_MS);
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

  /**
   * Reads the compaction agreement and acts on it (periodically), unless the session is dropped.
   */
  void pollFloor() {
    if (floor != null && !broken.getAsBoolean()) {
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
