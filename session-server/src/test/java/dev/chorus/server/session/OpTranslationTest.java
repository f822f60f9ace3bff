package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.batch;
import static dev.chorus.server.session.StageFixtures.json;
import static dev.chorus.server.session.StageFixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.Value;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.session.OpTranslation.ResolvedOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The translate stage (docs/protocol.md, "Ops"): paths parsed, {@code $N} standing for the element
 * the N-th op (an insert) of the same batch creates, markers creating texts and counters, claims
 * writing {@code {"actor", "kind", "until"}}, and the ops echoed as applied with every reference
 * replaced by its element id.
 */
class OpTranslationTest {
  private final Doc doc = agentSessionDoc();

  private static List<ResolvedOp> resolve(String opsJson) {
    return OpTranslation.resolve(batch("b", "", opsJson).ops());
  }

  /**
   * Translates and applies the ops as alice at time 1000; returns the applied ops JSON, checked to
   * be printed as Jackson prints it (it is stored and sent as text).
   */
  private JsonNode apply(String opsJson, String[] ids) {
    List<ResolvedOp> ops = resolve(opsJson);
    doc.edit(
        ALICE, doc.version(), 1_000L, e -> OpTranslation.translate(e, ops, ids, ALICE, 1_000L));
    String text = OpTranslation.appliedOpsJson(ops, ids);
    JsonNode tree = json(text);
    assertEquals(tree.toString(), text);
    return tree;
  }

  private Object get(String path) {
    return doc.get(Path.parse(path));
  }

  // ------------------------------------------------------------------------- resolve

  @Test
  void pathsAreParsedWithTheirEscapes() {
    ResolvedOp r =
        resolve("[{\"op\":\"set\",\"path\":\"tasks/a~1b~0c/title\",\"value\":\"x\"}]").get(0);
    assertEquals(List.of("tasks", "a/b~c", "title"), r.path());
    assertEquals("\"x\"", r.valueJson());
  }

  @Test
  void aMalformedPath_isBadFrame() {
    refused(ErrorCode.BAD_FRAME, () -> resolve("[{\"op\":\"delete\",\"path\":\"a//b\"}]"));
    refused(ErrorCode.BAD_FRAME, () -> resolve("[{\"op\":\"delete\",\"path\":\"a/~2\"}]"));
  }

  @Test
  void aReferenceToAnEarlierInsert_isKept() {
    List<ResolvedOp> ops =
        resolve(
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"a\"},"
                + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"$0\",\"value\":\"b\"},"
                + "{\"op\":\"set\",\"path\":\"plan/$1\",\"value\":\"c\"},"
                + "{\"op\":\"move\",\"path\":\"plan/$0\",\"to\":\"plan\",\"after\":\"$1\"}]");
    assertEquals("$0", ops.get(1).after());
    assertTrue(ops.get(2).createsPath());
    assertFalse(ops.get(0).createsPath());
    assertTrue(ops.get(3).createsPath());
    assertFalse(ops.get(3).createsDestination());
  }

  @Test
  void aReferenceToAnythingButAnEarlierInsert_isInvalidOp() {
    for (String bad :
        List.of(
            // to itself
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"$0\",\"value\":\"a\"}]",
            // to a later op
            "[{\"op\":\"set\",\"path\":\"plan/$1\",\"value\":\"a\"},"
                + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"b\"}]",
            // to an op that is not an insert
            "[{\"op\":\"set\",\"path\":\"x\",\"value\":1},"
                + "{\"op\":\"set\",\"path\":\"plan/$0\",\"value\":\"b\"}]",
            // in a move's destination
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"b\"},"
                + "{\"op\":\"move\",\"path\":\"plan/$0\",\"to\":\"plan/$5\",\"after\":null}]")) {
      ChorusException e = refused(ErrorCode.INVALID_OP, () -> resolve(bad), bad);
      assertTrue(e.getMessage().contains("earlier insert"), e.getMessage());
    }
  }

  @Test
  void claimsAndReleasesTakeATaskPath() {
    refused(ErrorCode.INVALID_OP, () -> resolve("[{\"op\":\"claim\",\"path\":\"plan\"}]"));
    refused(
        ErrorCode.INVALID_OP, () -> resolve("[{\"op\":\"release\",\"path\":\"tasks/t1/claim\"}]"));
    refused(ErrorCode.INVALID_OP, () -> resolve("[{\"op\":\"claim\",\"path\":\"board/t1\"}]"));
    assertEquals(
        List.of("tasks", "t1"),
        resolve("[{\"op\":\"claim\",\"path\":\"tasks/t1\"}]").get(0).path());
  }

  @Test
  void theRootCannotBeWrittenOrDeleted() {
    refused(ErrorCode.INVALID_OP, () -> resolve("[{\"op\":\"set\",\"path\":\"\",\"value\":{}}]"));
    refused(ErrorCode.INVALID_OP, () -> resolve("[{\"op\":\"delete\",\"path\":\"\"}]"));
  }

  @Test
  void addedBytesCountValuesAndInsertedText() {
    List<ResolvedOp> ops =
        resolve(
            "[{\"op\":\"set\",\"path\":\"a\",\"value\":\"abc\"},"
                + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"k\":1}},"
                + "{\"op\":\"splice\",\"path\":\"t\",\"index\":0,\"delete\":3,\"insert\":\"xy\"},"
                + "{\"op\":\"delete\",\"path\":\"b\"},"
                + "{\"op\":\"increment\",\"path\":\"c\",\"by\":5}]");
    assertEquals("\"abc\"".length() + "{\"k\":1}".length() + 2, OpTranslation.addedBytes(ops));
  }

  // ------------------------------------------------------------------------- translate

  @Test
  void insertsFillTheirReferences_andTheAppliedOpsNameTheRealIds() {
    String[] ids = new String[4];
    JsonNode applied =
        apply(
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"one\"}},"
                + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"$0\",\"value\":{\"title\":\"two\"}},"
                + "{\"op\":\"set\",\"path\":\"plan/$0/status\",\"value\":\"doing\"},"
                + "{\"op\":\"move\",\"path\":\"plan/$1\",\"to\":\"plan\",\"after\":null}]",
            ids);
    assertNotNull(ids[0]);
    assertNotNull(ids[1]);
    assertNull(ids[2], "only inserts make ids");
    assertNull(ids[3]);
    @SuppressWarnings("unchecked")
    List<Object> plan = (List<Object>) get("plan");
    assertEquals(List.of(Map.of("title", "two"), Map.of("title", "one", "status", "doing")), plan);

    assertEquals(4, applied.size());
    assertEquals("insert", applied.get(0).path("op").asText());
    assertEquals("plan", applied.get(0).path("path").asText());
    assertTrue(applied.get(0).path("after").isNull());
    assertEquals("one", applied.get(0).path("value").path("title").asText());
    assertEquals(ids[0], applied.get(0).path("id").asText());
    assertEquals(ids[0], applied.get(1).path("after").asText());
    assertEquals(ids[1], applied.get(1).path("id").asText());
    assertEquals("plan/" + ids[0] + "/status", applied.get(2).path("path").asText());
    assertEquals("doing", applied.get(2).path("value").asText());
    assertEquals("plan/" + ids[1], applied.get(3).path("path").asText());
    assertEquals("plan", applied.get(3).path("to").asText());
    assertTrue(applied.get(3).path("after").isNull());
    assertFalse(applied.toString().contains("$"), applied.toString());
  }

  @Test
  void markersCreateTextsAndCounters_whichLaterOpsOfTheBatchEdit() {
    String[] ids = new String[5];
    JsonNode applied =
        apply(
            "[{\"op\":\"set\",\"path\":\"notes\",\"value\":{\"$text\":\"hi\"}},"
                + "{\"op\":\"set\",\"path\":\"votes\",\"value\":{\"$counter\":5}},"
                + "{\"op\":\"splice\",\"path\":\"notes\",\"index\":2,\"delete\":0,\"insert\":\" there\"},"
                + "{\"op\":\"increment\",\"path\":\"votes\",\"by\":-2},"
                + "{\"op\":\"insert\",\"path\":\"instructions\",\"after\":null,"
                + "\"value\":{\"text\":\"read\",\"notes\":[{\"$text\":\"n\"}]}}]",
            ids);
    assertEquals("hi there", get("notes"));
    assertEquals(3L, ((Number) get("votes")).longValue());
    assertEquals(
        "n",
        get("instructions/" + ids[4] + "/notes/" + firstId("instructions/" + ids[4] + "/notes")));
    assertEquals("{\"$text\":\"hi\"}", applied.get(0).path("value").toString(), "echoed as sent");
    assertEquals(2, applied.get(2).path("index").asInt());
    assertEquals(0, applied.get(2).path("delete").asInt());
    assertEquals(" there", applied.get(2).path("insert").asText());
    assertEquals(-2, applied.get(3).path("by").asLong());
  }

  private String firstId(String listPath) {
    return ((Value.ListValue) valueAt(listPath)).elements().get(0).id();
  }

  private Value valueAt(String path) {
    Value v = doc.read();
    for (String seg : Path.parse(path).segments()) {
      if (v instanceof Value.MapValue m) {
        v = m.entries().get(seg);
      } else {
        v =
            ((Value.ListValue) v)
                .elements().stream()
                    .filter(e -> e.id().equals(seg))
                    .findFirst()
                    .orElseThrow()
                    .value();
      }
    }
    return v;
  }

  @Test
  void aClaimWritesTheHolderAndTheLeaseEnd_andAReleaseClearsIt() {
    apply(
        "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\","
            + "\"assignee\":null,\"claim\":null}}]",
        new String[1]);
    JsonNode applied =
        apply("[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":5000}]", new String[1]);
    assertEquals(Map.of("actor", "alice", "kind", "human", "until", 6_000L), get("tasks/t1/claim"));
    assertEquals(json("{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":5000}"), applied.get(0));
    applied = apply("[{\"op\":\"release\",\"path\":\"tasks/t1\"}]", new String[1]);
    assertNull(get("tasks/t1/claim"));
    assertEquals(json("{\"op\":\"release\",\"path\":\"tasks/t1\"}"), applied.get(0));
  }

  @Test
  void deletesAndKeepsAreEchoedWithTheirPath() {
    apply("[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\"}}]", new String[1]);
    JsonNode applied =
        apply(
            "[{\"op\":\"keep\",\"path\":\"tasks/t1\"},{\"op\":\"delete\",\"path\":\"tasks/t1/title\"}]",
            new String[2]);
    assertEquals(json("{\"op\":\"keep\",\"path\":\"tasks/t1\"}"), applied.get(0));
    assertEquals(json("{\"op\":\"delete\",\"path\":\"tasks/t1/title\"}"), applied.get(1));
    assertEquals(Map.of(), get("tasks/t1"));
  }

  @Test
  void claimValueNamesTheActorKindAndLeaseEnd() {
    assertEquals(
        Map.of("actor", "planner", "kind", "agent", "until", 42L),
        OpTranslation.claimValue(StageFixtures.PLANNER, 42));
  }
}
