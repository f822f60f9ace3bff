package dev.chorus.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.clock.VersionVector;
import org.junit.jupiter.api.Test;

class FloorAgreementTest {
  private static final long GRACE = 1_000;
  private static final long TIMEOUT = 10_000;
  private static final VersionVector F = VersionVector.parse("a:5,b:3");

  private static VersionVector v(String s) {
    return VersionVector.parse(s);
  }

  /** Holders a and b (loads "1"), a round for F opened at time 100. */
  private static FloorAgreement openRound() {
    return FloorAgreement.EMPTY.register("a", "1").register("b", "1").propose(F, 100, TIMEOUT);
  }

  @Test
  void propose_fencesAtOnce_andWaitsForEveryHolderOfThatMoment() {
    FloorAgreement r = openRound();
    assertTrue(r.open());
    assertEquals(F, r.fence());
    assertTrue(r.mustAck("a"));
    assertTrue(r.mustAck("b"));
    assertEquals("", r.floor(), "nothing agreed before the acks");
  }

  @Test
  void settle_agreesOnlyOnceEveryHolderAcked_andTargetsEveryAckedVersion() {
    FloorAgreement r = openRound().ack("a", 1, v("a:7,b:3")).settle(200, GRACE);
    assertTrue(r.open(), "b has not acked");
    r = r.ack("b", 1, v("a:5,b:9")).settle(200, GRACE);
    assertFalse(r.open());
    assertEquals(F, VersionVector.parse(r.floor()));
    assertEquals(v("a:7,b:9"), VersionVector.parse(r.target()));
    assertEquals(F, r.fence(), "the agreed floor stays the fence");
  }

  @Test
  void ack_ofAnotherRoundOrByAReplicaNotWaitedFor_isIgnored() {
    FloorAgreement r = openRound();
    assertEquals(r, r.ack("a", 2, v("a:9")));
    assertEquals(r, r.ack("c", 1, v("a:9")));
    FloorAgreement once = r.ack("a", 1, v("a:6"));
    assertEquals(once, once.ack("a", 1, v("a:99")), "a second ack changes nothing");
  }

  @Test
  void register_duringARound_isFencedButNotWaitedFor() {
    FloorAgreement r = openRound().register("c", "1");
    assertEquals(F, r.fence());
    assertFalse(r.mustAck("c"));
    r = r.ack("a", 1, F).ack("b", 1, F).settle(200, GRACE);
    assertFalse(r.open());
  }

  @Test
  void reRegister_ofAHolderTheRoundWaitsFor_releasesIt_itsFreshLoadIsFenced() {
    FloorAgreement r = openRound().register("b", "2").ack("a", 1, F).settle(200, GRACE);
    assertFalse(r.open());
    assertTrue(r.holds("b", "2"));
  }

  @Test
  void unregister_releasesTheRound_butALateUnregisterOfAnEarlierLoadIsIgnored() {
    FloorAgreement r = openRound().unregister("b", "1").ack("a", 1, F).settle(200, GRACE);
    assertFalse(r.open());
    assertFalse(r.holders().containsKey("b"));

    FloorAgreement reloaded = FloorAgreement.EMPTY.register("a", "1").register("a", "2");
    FloorAgreement late = reloaded.unregister("a", "1");
    assertTrue(late.holds("a", "2"), "the later load still holds the session");
    assertTrue(late.propose(F, 100, TIMEOUT).mustAck("a"));
  }

  @Test
  void departed_holdsTheRoundForTheGrace_thenReleasesIt() {
    FloorAgreement r = openRound().ack("a", 1, F).departed("b", 500);
    assertFalse(r.holders().containsKey("b"));
    assertFalse(r.mustAck("b"), "a departed member cannot ack");
    assertTrue(r.settle(500 + GRACE - 1, GRACE).open(), "within the grace");
    assertFalse(r.settle(500 + GRACE, GRACE).open(), "after the grace");
  }

  @Test
  void departed_thenRestartedWithItsReplicaId_releasesAtOnce() {
    FloorAgreement r = openRound().ack("a", 1, F).departed("b", 500).register("b", "2");
    assertFalse(r.settle(501, GRACE).open());
  }

  @Test
  void departed_ofAReplicaThatHeldNothing_changesNothing() {
    FloorAgreement r = openRound();
    assertEquals(r, r.departed("z", 500));
  }

  @Test
  void propose_whileARoundIsOpen_isIgnoredUntilItTimesOut_fencesOnlyGrow() {
    FloorAgreement r = openRound();
    assertEquals(r, r.propose(v("a:9"), 100 + TIMEOUT - 1, TIMEOUT));
    FloorAgreement replaced = r.propose(v("a:9"), 100 + TIMEOUT, TIMEOUT);
    assertEquals(2, replaced.round());
    assertEquals(v("a:9"), replaced.fence());
    assertTrue(replaced.mustAck("a"));
  }

  @Test
  void propose_ofAFloorAlreadyAgreed_isIgnored_aConcurrentOneIsMergedWithIt() {
    FloorAgreement agreed = openRound().ack("a", 1, F).ack("b", 1, F).settle(200, GRACE);
    assertEquals(agreed, agreed.propose(v("a:2,b:3"), 300, TIMEOUT));
    FloorAgreement next = agreed.propose(v("a:4,c:1"), 300, TIMEOUT);
    assertEquals(v("a:5,b:3,c:1"), next.fence());
    next = next.ack("a", 2, v("a:8,b:3,c:1")).ack("b", 2, v("a:5,b:4,c:1")).settle(400, GRACE);
    assertEquals(v("a:5,b:3,c:1"), VersionVector.parse(next.floor()));
    assertEquals(v("a:8,b:4,c:1"), VersionVector.parse(next.target()));
  }

  @Test
  void aRoundWithNoHolder_agreesAtOnce() {
    FloorAgreement r = FloorAgreement.EMPTY.propose(F, 100, TIMEOUT).settle(100, GRACE);
    assertEquals(F, VersionVector.parse(r.floor()));
  }
}
