package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.PLANNER;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.json;
import static dev.chorus.server.session.StageFixtures.principal;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.auth.Role;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.StageFixtures.RecordingParticipant;
import dev.chorus.server.session.StageFixtures.RecordingReplicator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What readers see (docs/protocol.md, "The document on the wire", {@code GET /v1/sessions/{id}},
 * {@code welcome}, Conflict): lists as {@code {"id", "value"}} elements, conflicts with their
 * intents, and a welcome that carries only the missed changes when it can and the whole document
 * when it cannot.
 */
class SessionReadsTest {
  private static final String TASK =
      "{\"title\":\"T\",\"status\":\"todo\",\"assignee\":null,\"claim\":null}";

  private final Doc doc = agentSessionDoc();
  private final ChangeHistory history = new ChangeHistory(doc, 100);
  private final Participants participants = new Participants();
  private final PresenceBoard presence =
      new PresenceBoard("demo", participants, new RecordingReplicator());
  private final SessionReads reads =
      new SessionReads("demo", Shape.of(Shape.AGENT_SESSION), doc, history, presence);

  private Change batch(Author a, VersionVector basedOn, String batchId, String opsJson) {
    Change c = write(doc, a, basedOn, opsJson);
    history.batchOf(c.replica(), c.startCounter(), batchId);
    return c;
  }

  private VersionVector withTask() {
    batch(ALICE, null, "b-task", "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":" + TASK + "}]");
    return doc.version();
  }

  private void conflictOnStatus() {
    VersionVector v1 = withTask();
    batch(ALICE, v1, "a-2", "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    batch(
        PLANNER,
        v1,
        "g-5",
        "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
  }

  @Test
  void theDocumentOnTheWire_showsListsAsElementsWithIds_orPlain() {
    Change c =
        batch(
            ALICE,
            null,
            "b-1",
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"collect sources\"}}]");
    ObjectNode s = reads.snapshot(false);
    assertEquals("demo", s.path("session").asText());
    assertEquals("agent-session", s.path("shape").asText());
    assertEquals(doc.version().toString(), s.path("version").asText());
    assertEquals(doc.stateHash(), s.path("stateHash").asText());
    JsonNode plan = s.path("doc").path("plan");
    assertEquals(1, plan.size());
    assertEquals(c.id().toString(), plan.get(0).path("id").asText());
    assertEquals("collect sources", plan.get(0).path("value").path("title").asText());
    JsonNode columns = s.path("doc").path("board").path("columns");
    assertEquals(3, columns.size());
    assertEquals("todo", columns.get(0).path("value").path("id").asText());
    assertEquals(0, s.path("conflicts").size());

    JsonNode plain = reads.snapshot(true).path("doc");
    assertEquals(json("[{\"title\":\"collect sources\"}]"), plain.path("plan"));
    assertEquals("To do", plain.path("board").path("columns").get(0).path("title").asText());
    assertEquals(reads.doc(), s.path("doc"));
    assertEquals(reads.plain(), plain);
  }

  @Test
  void textsAreStringsAndCountersNumbers() {
    batch(
        ALICE,
        null,
        "b-1",
        "[{\"op\":\"set\",\"path\":\"notes\",\"value\":{\"$text\":\"hello\"}},"
            + "{\"op\":\"set\",\"path\":\"votes\",\"value\":{\"$counter\":3}}]");
    JsonNode d = reads.doc();
    assertEquals("hello", d.path("notes").asText());
    assertEquals(3, d.path("votes").asLong());
  }

  @Test
  void aConflict_namesItsKindPathWinnerAndIntents() {
    conflictOnStatus();
    JsonNode cs = reads.conflicts();
    assertEquals(1, cs.size());
    JsonNode c = cs.get(0);
    assertEquals(doc.conflicts().get(0).id(), c.path("id").asText());
    assertEquals("concurrent_assignment", c.path("kind").asText());
    assertEquals("tasks/t1/status", c.path("path").asText());
    assertTrue(List.of("done", "cancelled").contains(c.path("winner").asText()));
    assertEquals(2, c.path("intentCount").asInt());
    JsonNode intents = c.path("intents");
    assertEquals(2, intents.size());
    for (JsonNode i : intents) {
      assertTrue(i.path("op").asText().endsWith("@n1"));
      assertEquals(1_000, i.path("timestamp").asLong());
      assertEquals("value", i.path("role").asText());
      assertTrue(i.path("author").has("kind"));
    }
    assertEquals(
        List.of("alice", "planner"),
        List.of(
            intents.get(0).path("author").path("id").asText(),
            intents.get(1).path("author").path("id").asText()),
        "in op-id order");
    assertFalse(c.path("summary").asText().isEmpty());
    assertEquals(cs, reads.snapshot(false).path("conflicts"));
  }

  @Test
  void concurrentClaimsOfATask_areAConflictOfKindClaim() {
    VersionVector v1 = withTask();
    batch(ALICE, v1, "c-1", "[{\"op\":\"claim\",\"path\":\"tasks/t1\"}]");
    batch(PLANNER, v1, "c-2", "[{\"op\":\"claim\",\"path\":\"tasks/t1\"}]");
    JsonNode c = reads.conflicts().get(0);
    assertEquals("claim", c.path("kind").asText());
    assertEquals("tasks/t1/claim", c.path("path").asText());
  }

  @Test
  void aConflictCarriesAtMost32Intents_andTheTrueCount() {
    VersionVector v1 = withTask();
    for (int i = 0; i < 40; i++) {
      batch(
          Author.agent("a" + i),
          v1,
          "w-" + i,
          "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"}]");
    }
    JsonNode c = reads.conflicts().get(0);
    assertEquals(WireJson.MAX_INTENTS, c.path("intents").size());
    assertEquals(40, c.path("intentCount").asInt());
  }

  @Test
  void theViewForSnapshotClients_isTheHashAndTheDocument() {
    withTask();
    ObjectNode v = reads.view();
    assertEquals(doc.stateHash(), v.path("stateHash").asText());
    assertEquals(reads.doc(), v.path("doc"));
  }

  @Test
  void aWelcomeWithoutSince_holdsTheWholeDocument_conflictsAndPresence() {
    conflictOnStatus();
    RecordingParticipant bob = new RecordingParticipant("p-2", BOB);
    participants.add(bob);
    presence.set(bob, Values.NODES.objectNode().put("focus", "tasks/t1"), 30_000);
    RecordingParticipant alice =
        new RecordingParticipant("p-1", principal(ALICE, Role.VIEWER), false);
    participants.add(alice);

    ObjectNode w = reads.welcome(alice, null);
    assertEquals("welcome", w.path("type").asText());
    assertEquals("demo", w.path("session").asText());
    assertEquals("agent-session", w.path("shape").asText());
    assertEquals("p-1", w.path("participantId").asText());
    assertEquals(json("{\"id\":\"alice\",\"kind\":\"human\"}"), w.path("actor"));
    assertEquals("viewer", w.path("role").asText());
    assertEquals(doc.version().toString(), w.path("version").asText());
    assertEquals(doc.stateHash(), w.path("stateHash").asText());
    assertFalse(w.path("resumed").asBoolean());
    assertEquals(reads.doc(), w.path("doc"));
    assertFalse(w.has("changes"));
    assertEquals(reads.conflicts(), w.path("conflicts"));
    assertEquals(1, w.path("presence").size());
    assertEquals("p-2", w.path("presence").get(0).path("participantId").asText());
  }

  @Test
  void aResumingWelcome_holdsOnlyTheMissedChanges() {
    VersionVector v1 = withTask();
    batch(BOB, null, "b-2", "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    RecordingParticipant alice = new RecordingParticipant("p-1", ALICE);
    ObjectNode w = reads.welcome(alice, v1.toString());
    assertTrue(w.path("resumed").asBoolean());
    assertFalse(w.has("doc"), "a resumed welcome carries changes, not the document");
    assertEquals(1, w.path("changes").size());
    assertEquals("b-2", w.path("changes").get(0).path("batchId").asText());
    assertEquals(doc.version().toString(), w.path("changes").get(0).path("version").asText());

    RecordingParticipant board = new RecordingParticipant("p-3", ALICE, true);
    ObjectNode withDoc = reads.welcome(board, v1.toString());
    assertTrue(withDoc.path("resumed").asBoolean());
    assertEquals(reads.doc(), withDoc.path("doc"), "snapshots: true adds the document");
  }

  @Test
  void aResumeFromAnUnknownOrCompactedVersion_fallsBackToTheWholeDocument() {
    VersionVector v0 = doc.version();
    VersionVector v1 = withTask();
    batch(BOB, null, "b-2", "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    RecordingParticipant alice = new RecordingParticipant("p-1", ALICE);
    for (String since : List.of(doc.version().with("n9", 4).toString(), "not a version")) {
      ObjectNode w = reads.welcome(alice, since);
      assertFalse(w.path("resumed").asBoolean(), since);
      assertEquals(reads.doc(), w.path("doc"), since);
      assertFalse(w.has("changes"), since);
    }
    doc.compact(v1);
    ObjectNode w = reads.welcome(alice, v0.toString());
    assertFalse(w.path("resumed").asBoolean(), "compacted away");
    assertEquals(reads.doc(), w.path("doc"));
    assertTrue(reads.welcome(alice, v1.toString()).path("resumed").asBoolean());
  }
}
