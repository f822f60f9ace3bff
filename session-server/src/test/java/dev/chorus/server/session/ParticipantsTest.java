package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.StageFixtures.RecordingParticipant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connections of one session on this node: who is here, broadcasts encoded once, and the way
 * they are closed (docs/protocol.md, "Closing": {@code shutting_down} with a jittered {@code
 * retryAfterMs}, then 1001).
 */
class ParticipantsTest {
  private final Participants participants = new Participants();
  private final RecordingParticipant alice = new RecordingParticipant("p-1", ALICE);
  private final RecordingParticipant aliceTab2 = new RecordingParticipant("p-2", ALICE, true);
  private final RecordingParticipant bob = new RecordingParticipant("p-3", BOB);

  @Test
  void participantsComeAndGo() {
    assertTrue(participants.isEmpty());
    participants.add(alice);
    participants.add(bob);
    assertEquals(2, participants.size());
    assertEquals(List.of(alice, bob), List.copyOf(participants.all()), "in order of arrival");
    assertTrue(participants.remove(alice));
    assertFalse(participants.remove(alice), "already gone");
    assertEquals(List.of(bob), List.copyOf(participants.all()));
  }

  @Test
  void aBroadcastFromAParticipantHasReaders_onlyIfSomeoneElseIsHere() {
    assertFalse(participants.anyBut(null));
    participants.add(alice);
    assertFalse(participants.anyBut(alice));
    assertTrue(participants.anyBut(null), "a REST write: alice reads it");
    assertTrue(participants.anyBut(bob), "bob is not here: alice reads his write");
    participants.add(bob);
    assertTrue(participants.anyBut(alice));
  }

  @Test
  void snapshotsAreWantedWhileOneParticipantAsksForThem() {
    participants.add(alice);
    assertFalse(participants.anyWantsSnapshots());
    participants.add(aliceTab2);
    assertTrue(participants.anyWantsSnapshots());
    participants.remove(aliceTab2);
    assertFalse(participants.anyWantsSnapshots());
  }

  @Test
  void anActorIsHereWhileOneOfItsConnectionsIs() {
    participants.add(alice);
    participants.add(aliceTab2);
    assertTrue(participants.hasActor("alice"));
    assertFalse(participants.hasActor("bob"));
    participants.remove(alice);
    assertTrue(participants.hasActor("alice"), "her second tab is still here");
    participants.remove(aliceTab2);
    assertFalse(participants.hasActor("alice"));
  }

  @Test
  void aBroadcastIsEncodedOnce_forEveryRecipient() {
    participants.add(alice);
    participants.add(aliceTab2);
    participants.add(bob);
    ObjectNode f = Values.NODES.objectNode().put("type", "presence");
    participants.sendAll(f);
    assertEquals(1, bob.frames.size());
    assertSame(alice.frames.get(0), bob.frames.get(0));
    assertSame(alice.frames.get(0), aliceTab2.frames.get(0));
    assertEquals("{\"type\":\"presence\"}", bob.frames.get(0).text());

    EncodedFrame g = EncodedFrame.of(Values.NODES.objectNode().put("type", "x"));
    participants.sendAllExcept(g, bob);
    assertEquals(1, bob.frames.size(), "bob is left out");
    assertSame(g, alice.frames.get(1));
    assertSame(g, aliceTab2.frames.get(1));
  }

  @Test
  void closeAll_closesEveryConnection_andForgetsThem() {
    participants.add(alice);
    participants.add(bob);
    participants.closeAll(1011, "store failure");
    assertEquals(List.of("1011 store failure"), alice.closes);
    assertEquals(List.of("1011 store failure"), bob.closes);
    assertTrue(participants.isEmpty());
  }

  @Test
  void shutdown_sendsAFatalShuttingDownWithAJitteredRetry_thenCloses1001() {
    participants.add(alice);
    participants.add(bob);
    participants.shutdown(1000);
    for (RecordingParticipant p : List.of(alice, bob)) {
      assertEquals(1, p.frames.size());
      ObjectNode e = p.json().get(0);
      assertEquals("error", e.path("type").asText());
      assertEquals("shutting_down", e.path("code").asText());
      assertTrue(e.path("fatal").asBoolean());
      long retry = e.path("retryAfterMs").asLong();
      assertTrue(retry >= 1000 && retry <= 2000, "between one and two times 1000: " + retry);
      assertEquals(1, p.closes.size());
      assertTrue(p.closes.get(0).startsWith("1001 "), p.closes.get(0));
    }
    assertTrue(participants.isEmpty());
  }
}
