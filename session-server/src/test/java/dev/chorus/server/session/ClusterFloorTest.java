package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.batch;
import static dev.chorus.server.session.StageFixtures.refused;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.replication.FloorAgreement;
import dev.chorus.server.replication.FloorAgreements;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * One replica's side of the compaction agreement, against an agreement held in memory: it fences
 * before it acks, acks only once its own writes are stored, and compacts only once the round is
 * agreed, a catch-up has run after that, and it has applied what every holder acked.
 */
class ClusterFloorTest {
  private static final String SET_T1 =
      "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"x\"}}]";

  /** The agreement in memory: every step applied at once, as the map's entry processor does. */
  private static final class Floors implements FloorAgreements {
    FloorAgreement state = FloorAgreement.EMPTY;
    final List<VersionVector> acks = new ArrayList<>();

    Future<FloorAgreement> apply(UnaryOperator<FloorAgreement> step) {
      state = step.apply(state).settle(0, 1_000);
      return Future.succeededFuture(state);
    }

    @Override
    public Future<FloorAgreement> register(String sessionId, String token) {
      return apply(a -> a.register("n1", token));
    }

    @Override
    public Future<Void> unregister(String sessionId, String token) {
      return apply(a -> a.unregister("n1", token)).mapEmpty();
    }

    @Override
    public Future<FloorAgreement> propose(String sessionId, VersionVector candidate) {
      return apply(a -> a.propose(candidate, 0, 60_000));
    }

    @Override
    public Future<FloorAgreement> ack(String sessionId, long round, VersionVector version) {
      acks.add(version);
      return apply(a -> a.ack("n1", round, version));
    }

    @Override
    public Future<FloorAgreement> read(String sessionId) {
      return apply(a -> a);
    }
  }

  private final Doc doc = StageFixtures.agentSessionDoc();
  private final WriteCheck check = new WriteCheck(doc, Shape.of(Shape.AGENT_SESSION), 1 << 20);
  private final Floors floors = new Floors();
  private final List<Promise<Void>> catchUps = new ArrayList<>();
  private final List<VersionVector> compacted = new ArrayList<>();
  private Promise<Void> durable = Promise.promise();
  private final ClusterFloor floor =
      new ClusterFloor(
          "s",
          "n1",
          doc,
          check,
          floors,
          () -> {
            Promise<Void> p = Promise.promise();
            catchUps.add(p);
            return p.future();
          },
          f -> {
            compacted.add(f);
            doc.compact(f);
          },
          () -> durable.future());

  private void refusedOn(VersionVector basedOn) {
    refused(ErrorCode.STALE_BASE, () -> check.basedOn(batch("b", basedOn.toString(), SET_T1)));
  }

  @Test
  void aProposedFloor_fencesOlderViewsAtOnce_andIsAckedOnlyOnceOwnWritesAreStored() {
    floor.register();
    VersionVector old = doc.version();
    write(doc, ALICE, null, SET_T1);
    VersionVector proposed = doc.version();
    floors.state = floors.state.register("n2", "t").propose(proposed, 0, 60_000);

    floor.poll();
    refusedOn(old);
    assertEquals(proposed, check.basedOn(batch("b", proposed.toString(), SET_T1)));
    assertEquals(List.of(), floors.acks, "its writes are not stored yet");

    durable.complete();
    assertEquals(List.of(proposed), floors.acks);
    assertEquals(List.of(), compacted, "n2 has not acked");
  }

  @Test
  void compaction_waitsForTheAgreement_aCatchUpAfterIt_andTheTarget() {
    floor.register();
    durable.complete();
    Doc n2 = StageFixtures.agentSessionDoc("n2");
    Change onN2 = write(n2, ALICE, null, SET_T1);
    write(doc, ALICE, null, SET_T1);
    VersionVector proposed = doc.version();
    floors.state = floors.state.register("n2", "t").propose(proposed, 0, 60_000);
    floor.poll(); // n1 fences and acks
    assertEquals(List.of(), compacted, "n2 has not acked");

    long round = floors.state.round();
    floors.state = floors.state.ack("n2", round, n2.version()).settle(0, 1_000);
    floor.poll(); // learns the agreement: a catch-up first
    assertEquals(List.of(), compacted, "not before a catch-up after the agreement");
    catchUps.get(catchUps.size() - 1).complete();
    assertEquals(List.of(), compacted, "n2's change, acked in the round, is not here yet");

    doc.apply(onN2);
    floor.poll();
    assertEquals(List.of(proposed), compacted);
    assertEquals(proposed, doc.horizon());
  }

  @Test
  void aLoadDuringARound_isFencedFromItsStart_blindWritesTooUntilItHasTheFloor() {
    Doc n2 = StageFixtures.agentSessionDoc("n2");
    write(n2, ALICE, null, SET_T1);
    floors.state = FloorAgreement.EMPTY.register("n2", "t").propose(n2.version(), 0, 60_000);
    floor.register();
    Frames.Batch blind =
        new Frames.Batch("b", null, false, batch("b", "", SET_T1).ops(), null, "h");
    refused(ErrorCode.STALE_BASE, () -> check.basedOn(blind));
    refusedOn(doc.version());
    assertEquals(false, floors.state.mustAck("n1"), "the round does not wait for it");
  }
}
