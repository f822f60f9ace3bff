package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.PLANNER;
import static dev.chorus.server.session.StageFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.StageFixtures.RecordingParticipant;
import dev.chorus.server.session.StageFixtures.RecordingReplicator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Presence (docs/protocol.md, client {@code presence} and server {@code presence}): ephemeral,
 * expiring {@code presenceTtlMs} after the last refresh, passed on to the other participants and to
 * the other nodes, never stored; participants of other nodes are shown as they announce themselves.
 */
class PresenceBoardTest {
  private final Participants participants = new Participants();
  private final RecordingReplicator replicator = new RecordingReplicator();
  private final PresenceBoard board = new PresenceBoard("s1", participants, replicator);
  private final RecordingParticipant alice = new RecordingParticipant("p-1", ALICE);
  private final RecordingParticipant bob = new RecordingParticipant("p-2", BOB);

  PresenceBoardTest() {
    participants.add(alice);
    participants.add(bob);
  }

  private static ObjectNode state(String focus) {
    return Values.NODES.objectNode().put("focus", focus).put("name", "someone");
  }

  private ArrayNode everyone() {
    ArrayNode a = Values.NODES.arrayNode();
    board.writeTo(a);
    return a;
  }

  private static ObjectNode remoteParticipant(String pid, String actor, long expiresAt) {
    return (ObjectNode)
        json(
            "{\"participantId\":\""
                + pid
                + "\",\"clientId\":\"c\",\"actor\":{\"id\":\""
                + actor
                + "\",\"kind\":\"agent\"},\"state\":{},\"expiresAt\":"
                + expiresAt
                + "}");
  }

  @Test
  void aPresence_isPassedOnToTheOthers_andToTheOtherNodes() {
    long before = System.currentTimeMillis();
    board.set(alice, state("tasks/t1"), 30_000);
    assertEquals(List.of(), alice.frames, "not echoed to its sender");
    assertEquals(List.of("presence"), bob.types());
    JsonNode p = bob.json().get(0).path("participant");
    assertEquals("p-1", p.path("participantId").asText());
    assertEquals("client-p-1", p.path("clientId").asText());
    assertEquals(json("{\"id\":\"alice\",\"kind\":\"human\"}"), p.path("actor"));
    assertEquals("tasks/t1", p.path("state").path("focus").asText());
    long expiresAt = p.path("expiresAt").asLong();
    assertTrue(
        expiresAt >= before + 30_000 && expiresAt <= System.currentTimeMillis() + 30_000,
        "expires presenceTtlMs after the refresh: " + expiresAt);
    assertFalse(bob.json().get(0).has("left"));
    assertEquals(List.of("s1 p-1"), replicator.presence);
    assertEquals(1, everyone().size());
    assertEquals(p, everyone().get(0));
  }

  @Test
  void aRefresh_replacesTheState() {
    board.set(alice, state("a"), 30_000);
    board.set(alice, state("b"), 30_000);
    assertEquals(1, everyone().size());
    assertEquals("b", everyone().get(0).path("state").path("focus").asText());
  }

  @Test
  void aParticipantThatLeaves_isAnnouncedAsLeft_ifItHadPresence() {
    board.set(alice, state("a"), 30_000);
    bob.frames.clear();
    participants.remove(alice);
    board.left(alice);
    assertEquals(List.of("presence"), bob.types());
    ObjectNode f = bob.json().get(0);
    assertTrue(f.path("left").asBoolean());
    assertEquals("p-1", f.path("participant").path("participantId").asText());
    assertEquals(List.of("s1 p-1", "s1 p-1 left"), replicator.presence);
    assertEquals(0, everyone().size());

    participants.remove(bob);
    board.left(bob);
    assertEquals(1, bob.frames.size(), "bob never sent presence: nobody is told");
    assertEquals(2, replicator.presence.size());
  }

  @Test
  void presenceExpires_presenceTtlMsAfterTheLastRefresh() {
    board.set(alice, state("a"), 1_000);
    board.set(bob, state("b"), 60_000);
    alice.frames.clear();
    bob.frames.clear();
    long now = System.currentTimeMillis();
    board.expire(now);
    assertEquals(2, everyone().size(), "nothing expired yet");
    board.expire(now + 1_001);
    assertEquals(1, everyone().size());
    assertEquals("p-2", everyone().get(0).path("participantId").asText());
    for (RecordingParticipant p : List.of(alice, bob)) {
      assertEquals(List.of("presence"), p.types());
      assertTrue(p.json().get(0).path("left").asBoolean());
      assertEquals("p-1", p.json().get(0).path("participant").path("participantId").asText());
    }
  }

  @Test
  void participantsOfOtherNodes_areShownAsTheyAnnounceThemselves() {
    ObjectNode remote = remoteParticipant("n2-p-7", "planner", Long.MAX_VALUE);
    board.remote("n2", remote, false);
    assertEquals(List.of("presence"), alice.types());
    assertEquals(remote, alice.json().get(0).path("participant"));
    assertEquals(List.of("presence"), bob.types());
    assertEquals(List.of(remote), List.copyOf(everyoneList()));
    assertTrue(board.actorElsewhere(PLANNER.actorId()));
    assertFalse(board.actorElsewhere("alice"));
    assertEquals(List.of(), replicator.presence, "what other nodes said is not sent back to them");

    board.remote("n2", remote, true);
    assertTrue(alice.json().get(1).path("left").asBoolean());
    assertEquals(0, everyone().size());
    assertFalse(board.actorElsewhere("planner"));
    board.remote("n2", remote, true);
    assertEquals(2, alice.frames.size(), "a second leave of someone gone says nothing");
  }

  private List<JsonNode> everyoneList() {
    List<JsonNode> l = new java.util.ArrayList<>();
    everyone().forEach(l::add);
    return l;
  }

  @Test
  void anAnnouncementWithoutParticipantId_isIgnored() {
    board.remote("n2", (ObjectNode) json("{\"actor\":{\"id\":\"x\"}}"), false);
    assertEquals(List.of(), alice.frames);
    assertEquals(0, everyone().size());
  }

  @Test
  void remotePresenceExpires_atItsExpiresAt() {
    long now = System.currentTimeMillis();
    board.remote("n2", remoteParticipant("n2-p-1", "planner", now + 500), false);
    board.remote("n2", remoteParticipant("n2-p-2", "helper", now + 60_000), false);
    alice.frames.clear();
    board.expire(now + 501);
    assertEquals(1, everyone().size());
    assertEquals("n2-p-2", everyone().get(0).path("participantId").asText());
    assertEquals(List.of("presence"), alice.types());
    assertTrue(alice.json().get(0).path("left").asBoolean());
    assertEquals("n2-p-1", alice.json().get(0).path("participant").path("participantId").asText());
  }

  @Test
  void whenANodeLeaves_itsParticipantsLeaveWithIt() {
    board.remote("n2", remoteParticipant("n2-p-1", "planner", Long.MAX_VALUE), false);
    board.remote("n3", remoteParticipant("n3-p-1", "helper", Long.MAX_VALUE), false);
    board.set(alice, state("a"), 30_000);
    bob.frames.clear();
    board.nodeLeft("n2");
    assertEquals(List.of("presence"), bob.types());
    assertEquals("n2-p-1", bob.json().get(0).path("participant").path("participantId").asText());
    assertTrue(bob.json().get(0).path("left").asBoolean());
    assertEquals(2, everyone().size(), "alice here and the participant of n3 stay");
    assertFalse(board.actorElsewhere("planner"));
    assertTrue(board.actorElsewhere("helper"));
  }
}
