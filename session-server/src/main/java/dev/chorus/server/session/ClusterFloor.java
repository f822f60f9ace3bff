package dev.chorus.server.session;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.replication.FloorAgreement;
import dev.chorus.server.replication.FloorAgreements;
import io.vertx.core.Future;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's part in its cluster's compaction floor ({@link FloorAgreement}): registers this
 * replica as a holder when the session loads, fences writes ({@link WriteCheck#fence}) as soon as
 * it learns of a proposed floor and only then acks it, proposes the floors its snapshots find old
 * enough, and compacts ({@link Snapshots#compact}) once a round is agreed, a catch-up from the
 * store has run after that, and the document has applied the round's target — also where this
 * replica writes nothing itself; its next snapshot holds the compacted document.
 *
 * <p>Nothing here runs per write: the agreement is read on the anti-entropy timer and after each of
 * this replica's own steps; proposals come from snapshots. On the session's context.
 */
final class ClusterFloor {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterFloor.class);

  private final String sessionId;
  private final String replicaId;
  private final Doc doc;
  private final WriteCheck check;
  private final FloorAgreements floors;
  private final Supplier<Future<Void>> catchUp;
  private final Consumer<VersionVector> compact;
  private final Supplier<Future<Void>> durable;
  // this load's token: a late unregister of an earlier load must not remove this one
  private final String token = UUID.randomUUID().toString();
  private VersionVector fence = VersionVector.EMPTY;
  private VersionVector agreed = VersionVector.EMPTY;
  private VersionVector target = VersionVector.EMPTY;
  // which agreement the last catch-up started after (compaction waits for the current one)
  private int agreements;
  private int caughtUpAfter;
  private boolean catchingUp;
  private long ackedRound;
  private boolean closed;

  ClusterFloor(
      String sessionId,
      String replicaId,
      Doc doc,
      WriteCheck check,
      FloorAgreements floors,
      Supplier<Future<Void>> catchUp,
      Consumer<VersionVector> compact,
      Supplier<Future<Void>> durable) {
    this.sessionId = sessionId;
    this.replicaId = replicaId;
    this.doc = doc;
    this.check = check;
    this.floors = floors;
    this.catchUp = catchUp;
    this.compact = compact;
    this.durable = durable;
  }

  /** Registers this load as a holder and takes the fence; before the session serves. */
  Future<Void> register() {
    return floors.register(sessionId, token).map(a -> step(a, false));
  }

  /** Reads the agreement and acts on it (the anti-entropy timer). */
  void poll() {
    if (!closed) {
      floors.read(sessionId).onSuccess(a -> step(a, true)).onFailure(this::failed);
    }
  }

  /** A floor this replica's snapshots found old enough: propose it. */
  void propose(VersionVector candidate) {
    if (!closed) {
      floors.propose(sessionId, candidate).onSuccess(a -> step(a, true)).onFailure(this::failed);
    }
  }

  /** The session is unloaded, or the node stops: this load holds it no more. */
  Future<Void> unregister() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    return floors.unregister(sessionId, token);
  }

  /**
   * The floor to compact to now, or null: a round was agreed that the document has not compacted
   * to, a catch-up ran after the agreement, and every change any holder acked is applied (so every
   * change based below the floor is, and none can come any more).
   */
  VersionVector compactTo() {
    if (agreed.isEmpty()
        || caughtUpAfter != agreements
        || doc.horizon().dominates(agreed)
        || !doc.version().dominates(target)
        || !doc.pending().isEmpty()) {
      return null;
    }
    return agreed;
  }

  /** The fence writes are checked against (tests). */
  VersionVector fence() {
    return fence;
  }

  private Void step(FloorAgreement a, boolean reRegister) {
    if (closed) {
      return null;
    }
    if (reRegister && !a.holds(replicaId, token)) {
      // the entry lost this holder (a split-brain merge kept the other side's): register again
      floors.register(sessionId, token).onSuccess(b -> step(b, false)).onFailure(this::failed);
    }
    // fence first: the ack below promises that no write on an older view follows
    fence = fence.merge(a.fence());
    check.fence(fence);
    VersionVector floor = VersionVector.parse(a.floor());
    if (!agreed.dominates(floor)) {
      agreed = agreed.merge(floor);
      target = target.merge(VersionVector.parse(a.target()));
      agreements++;
    }
    if (caughtUpAfter != agreements && !catchingUp) {
      // Changes of holders that left before acking are in the store, not necessarily here yet.
      int generation = agreements;
      catchingUp = true;
      catchUp
          .get()
          .onComplete(
              ar -> {
                catchingUp = false;
                if (ar.succeeded()) {
                  caughtUpAfter = generation;
                  compactIfAgreed();
                }
              });
    }
    if (a.mustAck(replicaId) && a.round() > ackedRound) {
      VersionVector proposed = VersionVector.parse(a.proposed());
      if (doc.version().dominates(proposed)) {
        // Acked once this replica's own writes in it are stored: every change the ack names can
        // be fetched from the store by the others (a write whose commit fails is in no replica).
        VersionVector version = doc.version();
        long round = a.round();
        ackedRound = round;
        durable
            .get()
            .compose(v -> floors.ack(sessionId, round, version))
            .onSuccess(b -> step(b, true))
            .onFailure(
                t -> {
                  ackedRound = Math.min(ackedRound, round - 1); // ack again at the next poll
                  failed(t);
                });
      } else {
        catchUp.get(); // the floor is made of stored changes: fetch them, ack at the next poll
      }
    }
    compactIfAgreed();
    return null;
  }

  private void compactIfAgreed() {
    VersionVector floor = closed ? null : compactTo();
    if (floor != null) {
      compact.accept(floor);
    }
  }

  private void failed(Throwable t) {
    LOG.debug("session {}: compaction agreement step failed: {}", sessionId, t.toString());
  }
}
