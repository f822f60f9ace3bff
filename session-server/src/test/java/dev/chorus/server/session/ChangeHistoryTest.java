package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.PLANNER;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.json;
import static dev.chorus.server.session.StageFixtures.refused;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * The session's changes as clients read them (docs/protocol.md, {@code GET .../history?since=} and
 * a resumed {@code welcome}): every change not included in {@code since}, oldest first, with its
 * author, batch id, codec JSON and the version right after it; {@code stale_base} for what is not
 * known or no longer retained.
 */
class ChangeHistoryTest {
  private final Doc doc = agentSessionDoc();
  private final ChangeHistory history = new ChangeHistory(doc, 100);

  private Change batch(Author a, String batchId, String opsJson) {
    Change c = write(doc, a, null, opsJson);
    history.batchOf(c.replica(), c.startCounter(), batchId);
    return c;
  }

  private Change setTitle(Author a, String batchId, String title) {
    return batch(a, batchId, "[{\"op\":\"set\",\"path\":\"title\",\"value\":\"" + title + "\"}]");
  }

  @Test
  void theChangesASinceDoesNotHold_oldestFirst_withTheVersionAfterEach() {
    VersionVector v0 = doc.version();
    Change c1 = setTitle(ALICE, "b-1", "one");
    Change c2 = setTitle(BOB, "b-2", "two");
    ArrayNode since = history.since(v0);
    assertEquals(2, since.size());
    JsonNode first = since.get(0);
    assertEquals(json("{\"id\":\"alice\",\"kind\":\"human\"}"), first.path("author"));
    assertEquals("b-1", first.path("batchId").asText());
    assertEquals(1, first.path("changes").size());
    assertEquals(json(ChangeCodec.toJsonString(c1)), json(first.path("changes").get(0).toString()));
    assertEquals(v0.with("n1", c1.endCounter()).toString(), first.path("version").asText());
    JsonNode second = since.get(1);
    assertEquals("bob", second.path("author").path("id").asText());
    assertEquals("b-2", second.path("batchId").asText());
    assertEquals(doc.version().toString(), second.path("version").asText());
    assertEquals(c2.startCounter(), second.path("changes").get(0).path("start").asLong());
  }

  @Test
  void sinceTheEmptyVersion_everyRetainedChange_theServersOwnWithoutBatchId() {
    setTitle(ALICE, "b-1", "one");
    ArrayNode all = history.since(VersionVector.EMPTY);
    assertEquals(2, all.size());
    assertEquals("chorus-server", all.get(0).path("author").path("id").asText());
    assertFalse(all.get(0).has("batchId"), "the initial content has no batch");
    assertEquals("b-1", all.get(1).path("batchId").asText());
  }

  @Test
  void sinceTheCurrentVersion_nothing() {
    setTitle(ALICE, "b-1", "one");
    assertEquals(0, history.since(doc.version()).size());
  }

  @Test
  void changesOfOtherReplicas_carryTheVersionAfterThemHere() {
    VersionVector v0 = doc.version();
    Doc n2 = new Doc("n2");
    doc.history().forEach(n2::apply);
    Change remote = write(n2, PLANNER, null, "[{\"op\":\"set\",\"path\":\"x\",\"value\":1}]");
    Change local = setTitle(ALICE, "b-1", "one");
    doc.apply(remote);
    history.batchOf(remote.replica(), remote.startCounter(), "g-1");
    ArrayNode since = history.since(v0);
    assertEquals(2, since.size());
    assertEquals(
        v0.with("n1", local.endCounter()).toString(), since.get(0).path("version").asText());
    assertEquals("g-1", since.get(1).path("batchId").asText());
    assertEquals(doc.version().toString(), since.get(1).path("version").asText());
  }

  @Test
  void aSinceThisServerHasNotSeen_isStaleBase() {
    setTitle(ALICE, "b-1", "one");
    refused(ErrorCode.STALE_BASE, () -> history.since(doc.version().with("n1", 999)));
    refused(ErrorCode.STALE_BASE, () -> history.since(VersionVector.parse("n7:1")));
  }

  @Test
  void aSinceOlderThanTheRetainedHistory_isStaleBase() {
    VersionVector v0 = doc.version();
    setTitle(ALICE, "b-1", "one");
    VersionVector v1 = doc.version();
    setTitle(ALICE, "b-2", "two");
    doc.compact(v1);
    refused(ErrorCode.STALE_BASE, () -> history.since(v0));
    assertEquals(1, history.since(v1).size(), "what is after the compaction stays readable");
  }

  @Test
  void onlyTheLastWindowOfBatchIdsIsRemembered() {
    ChangeHistory small = new ChangeHistory(doc, 2);
    Change[] cs = new Change[3];
    for (int i = 0; i < 3; i++) {
      cs[i] = write(doc, ALICE, null, "[{\"op\":\"set\",\"path\":\"n\",\"value\":" + i + "}]");
      small.batchOf(cs[i].replica(), cs[i].startCounter(), "b-" + i);
    }
    assertNull(small.batchOf(cs[0]));
    assertEquals("b-1", small.batchOf(cs[1]));
    assertEquals("b-2", small.batchOf(cs[2]));
  }

  @Test
  void aChangeWithoutBatch_recordsNothing_andAKnownBatchIsNotReplaced() {
    Change c = write(doc, ALICE, null, "[{\"op\":\"set\",\"path\":\"n\",\"value\":1}]");
    history.batchOf(c.replica(), c.startCounter(), null);
    assertNull(history.batchOf(c));
    history.batchOfIfAbsent(c.replica(), c.startCounter(), "first");
    history.batchOfIfAbsent(c.replica(), c.startCounter(), "second");
    assertEquals("first", history.batchOf(c));
    history.batchOfIfAbsent(c.replica(), c.startCounter(), null);
    assertEquals("first", history.batchOf(c));
    assertEquals(ChangeHistory.key("n1", c.startCounter()), c.startCounter() + "@n1");
  }
}
