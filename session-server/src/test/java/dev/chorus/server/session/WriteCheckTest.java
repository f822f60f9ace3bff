package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.PLANNER;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.batch;
import static dev.chorus.server.session.StageFixtures.refused;
import static dev.chorus.server.session.StageFixtures.resolve;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The check stage (docs/protocol.md, "Error codes", "Shapes", the strict precondition of scenario
 * 11): every refusal names its code, and a refused batch leaves the document as it was.
 */
class WriteCheckTest {
  private static final String TASK =
      "{\"title\":\"Summarise\",\"status\":\"todo\",\"assignee\":null,\"claim\":null}";

  private final Doc doc = agentSessionDoc();
  private final WriteCheck check =
      new WriteCheck(doc, Shape.of(Shape.AGENT_SESSION), 10 * 1024 * 1024);

  /** v1: tasks/t1 exists. */
  private VersionVector withTask() {
    write(doc, ALICE, null, "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":" + TASK + "}]");
    return doc.version();
  }

  private static List<OpTranslation.ResolvedOp> ops(Frames.Batch b) {
    return OpTranslation.resolve(b.ops());
  }

  private static List<OpTranslation.ResolvedOp> ops(String opsJson) {
    return ops(batch("x", "", opsJson));
  }

  // ------------------------------------------------------------------------- basedOn

  @Test
  void aBlindWriteIsBasedOnTheCurrentVersion() {
    Frames.Batch blind =
        new Frames.Batch(
            "b",
            null,
            false,
            batch("b", "", "[{\"op\":\"delete\",\"path\":\"x\"}]").ops(),
            null,
            "h");
    assertEquals(doc.version(), check.basedOn(blind));
  }

  @Test
  void aKnownBasedOnIsTheWritersView() {
    VersionVector before = doc.version();
    withTask();
    assertEquals(before, check.basedOn(batch("b", before.toString(), SET_T1)));
    assertEquals(VersionVector.EMPTY, check.basedOn(batch("b", "", SET_T1)));
  }

  private static final String SET_T1 =
      "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"}]";

  @Test
  void aBasedOnAheadOfTheDocument_isStaleBase() {
    String ahead = doc.version().with("n1", doc.version().get("n1") + 5).toString();
    refused(ErrorCode.STALE_BASE, () -> check.basedOn(batch("b", ahead, SET_T1)));
    refused(ErrorCode.STALE_BASE, () -> check.basedOn(batch("b", "n9:1", SET_T1)));
  }

  @Test
  void aMalformedBasedOn_isBadFrame() {
    for (String bad : List.of("garbage", "n1:", ":4", "n1:-3", "n1:1,n1:2", "n1:x")) {
      ChorusException e =
          refused(ErrorCode.BAD_FRAME, () -> check.basedOn(batch("b", bad, SET_T1)));
      assertTrue(e.getMessage().startsWith("basedOn"), e.getMessage());
    }
  }

  // ------------------------------------------------------------------------- conflicts

  /** Alice and the planner both set the status from v1: a concurrent assignment. */
  private String openConflict() {
    VersionVector v1 = withTask();
    write(doc, ALICE, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    write(
        doc,
        PLANNER,
        v1,
        "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
    assertEquals(1, doc.conflicts().size());
    return doc.conflicts().get(0).id();
  }

  private static Frames.Batch resolveFrame(String conflictId) {
    return resolve(
        "{\"type\":\"resolve\",\"batchId\":\"r-1\",\"path\":\"tasks/t1/status\",\"value\":\"done\""
            + (conflictId == null ? "" : ",\"conflictId\":" + Values.NODES.textNode(conflictId))
            + "}");
  }

  @Test
  void aResolveOfAnOpenConflictPasses() {
    String id = openConflict();
    assertDoesNotThrow(() -> check.conflictOpen(resolveFrame(id)));
    assertDoesNotThrow(() -> check.conflictOpen(resolveFrame(null)), "no conflictId: no check");
  }

  @Test
  void aResolveOfAClosedConflict_isConflictNotFound() {
    String id = openConflict();
    write(doc, BOB, null, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    assertEquals(List.of(), doc.conflicts(), "bob saw both values: resolved");
    ChorusException e =
        refused(ErrorCode.CONFLICT_NOT_FOUND, () -> check.conflictOpen(resolveFrame(id)));
    assertTrue(e.getMessage().contains(id), e.getMessage());
    refused(ErrorCode.CONFLICT_NOT_FOUND, () -> check.conflictOpen(resolveFrame("never/was/open")));
  }

  // ------------------------------------------------------------------------- shape

  @Test
  void writesTheShapeAllowsPass() {
    withTask();
    assertDoesNotThrow(
        () ->
            check.shape(
                ops(
                    "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"},"
                        + "{\"op\":\"set\",\"path\":\"tasks/t1/description\",\"value\":{\"$text\":\"\"}},"
                        + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"a\",\"status\":\"skipped\"}},"
                        + "{\"op\":\"claim\",\"path\":\"tasks/t1\"},"
                        + "{\"op\":\"delete\",\"path\":\"tasks/t1\"}]")));
  }

  @Test
  void writesThatBreakTheShape_areSchemaViolations() {
    withTask();
    for (String op :
        List.of(
            "{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"bogus\"}",
            "{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":42}",
            "{\"op\":\"delete\",\"path\":\"plan\"}",
            "{\"op\":\"set\",\"path\":\"board\",\"value\":[]}",
            "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"a\",\"status\":\"later\"}}",
            "{\"op\":\"insert\",\"path\":\"board/columns\",\"after\":null,\"value\":\"not a column\"}")) {
      refused(ErrorCode.SCHEMA_VIOLATION, () -> check.shape(ops("[" + op + "]")));
    }
  }

  @Test
  void aMoveIsCheckedAgainstItsDestination() {
    Change c =
        write(
            doc,
            ALICE,
            null,
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"a step\"}]");
    String step = c.id().toString();
    refused(
        ErrorCode.SCHEMA_VIOLATION,
        () ->
            check.shape(
                ops(
                    "[{\"op\":\"move\",\"path\":\"plan/"
                        + step
                        + "\",\"to\":\"board/columns\",\"after\":null}]")));
    assertDoesNotThrow(
        () ->
            check.shape(
                ops(
                    "[{\"op\":\"move\",\"path\":\"plan/"
                        + step
                        + "\",\"to\":\"plan\",\"after\":null}]")));
  }

  @Test
  void anElementTheBatchInserts_isCheckedAgainstWhereTheBatchMovesIt() {
    // a step is a string; a column must be an object with a title and cards
    refused(
        ErrorCode.SCHEMA_VIOLATION,
        () ->
            check.shape(
                ops(
                    "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"a step\"},"
                        + "{\"op\":\"move\",\"path\":\"plan/$0\",\"to\":\"board/columns\",\"after\":null}]")));
    assertDoesNotThrow(
        () ->
            check.shape(
                ops(
                    "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"a step\"},"
                        + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"b\"},"
                        + "{\"op\":\"move\",\"path\":\"plan/$0\",\"to\":\"plan\",\"after\":\"$1\"}]")));
  }

  @Test
  void aGenericSessionTakesAnything() {
    WriteCheck generic = new WriteCheck(new Doc("n1"), Shape.of(Shape.GENERIC), 1 << 20);
    assertDoesNotThrow(
        () ->
            generic.shape(
                ops(
                    "[{\"op\":\"set\",\"path\":\"plan\",\"value\":7},"
                        + "{\"op\":\"set\",\"path\":\"tasks\",\"value\":\"x\"}]")));
  }

  // ------------------------------------------------------------------------- precondition

  @Test
  void aStrictBatch_listsTheChangeItDidNotSee() {
    VersionVector v1 = withTask();
    write(doc, BOB, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    VersionVector v2 = doc.version();
    Frames.Batch b = batch("g-6", v1.toString(), true, SET_T1);
    ChorusException e =
        refused(ErrorCode.PRECONDITION_FAILED, () -> check.precondition(check.basedOn(b), ops(b)));
    assertTrue(e.getMessage().startsWith("1 change not seen"), e.getMessage());
    JsonNode unseen = e.details().path("unseen");
    assertEquals(1, unseen.size(), unseen.toString());
    JsonNode u = unseen.get(0);
    assertEquals("tasks/t1/status", u.path("path").asText());
    assertEquals("set", u.path("action").asText());
    assertEquals("done", u.path("value").asText());
    assertEquals("bob", u.path("author").path("id").asText());
    assertEquals("human", u.path("author").path("kind").asText());
    assertEquals(v2.toString(), u.path("version").asText(), "the version right after bob's change");
    assertTrue(u.path("op").asText().endsWith("@n1"), u.toString());
    assertEquals(v2.toString(), e.details().path("version").asText());
  }

  @Test
  void aStrictBatch_passesForPathsNobodyTouched() {
    VersionVector v1 = withTask();
    write(doc, BOB, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    assertDoesNotThrow(
        () ->
            check.precondition(
                v1, ops("[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"Renamed\"}]")));
    assertDoesNotThrow(
        () -> check.precondition(v1, ops("[{\"op\":\"claim\",\"path\":\"tasks/t1\"}]")),
        "a claim writes only tasks/t1/claim");
    assertDoesNotThrow(
        () -> check.precondition(doc.version(), ops(SET_T1)), "a batch that saw everything");
  }

  @Test
  void aStrictBatch_seesChangesToAncestorsAndDescendants() {
    VersionVector v0 = doc.version();
    VersionVector v1 = withTask();
    write(doc, BOB, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    refused(
        ErrorCode.PRECONDITION_FAILED,
        () -> check.precondition(v1, ops("[{\"op\":\"delete\",\"path\":\"tasks/t1\"}]")));
    refused(
        ErrorCode.PRECONDITION_FAILED,
        () -> check.precondition(v0, ops("[{\"op\":\"release\",\"path\":\"tasks/t1\"}]")),
        "the task itself was set after v0");
  }

  @Test
  void aStrictBatch_ignoresWhatItCreatesItself() {
    VersionVector v0 = doc.version();
    write(
        doc,
        BOB,
        null,
        "[{\"op\":\"insert\",\"path\":\"instructions\",\"after\":null,\"value\":{\"text\":\"hi\"}}]");
    // plan was untouched since v0; plan/$0 is new
    assertDoesNotThrow(
        () ->
            check.precondition(
                v0,
                ops(
                    "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"a\"},"
                        + "{\"op\":\"set\",\"path\":\"plan/$0\",\"value\":\"b\"}]")));
  }

  @Test
  void aStrictBatch_seesChangesToTheListItMovesAnElementInto() {
    VersionVector v0 = doc.version();
    write(
        doc,
        BOB,
        null,
        "[{\"op\":\"insert\",\"path\":\"instructions\",\"after\":null,\"value\":{\"text\":\"hi\"}}]");
    // inserting into instructions straight away is refused: bob's insert touched that list ...
    refused(
        ErrorCode.PRECONDITION_FAILED,
        () ->
            check.precondition(
                v0,
                ops(
                    "[{\"op\":\"insert\",\"path\":\"instructions\",\"after\":null,\"value\":{\"text\":\"a\"}}]")));
    // ... and so is inserting elsewhere and moving the new element there
    refused(
        ErrorCode.PRECONDITION_FAILED,
        () ->
            check.precondition(
                v0,
                ops(
                    "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"text\":\"a\"}},"
                        + "{\"op\":\"move\",\"path\":\"plan/$0\",\"to\":\"instructions\",\"after\":null}]")));
  }

  // ------------------------------------------------------------------------- size

  private long plainSize(Doc d) throws Exception {
    return Values.MAPPER.writeValueAsBytes(d.toPlain()).length;
  }

  @Test
  void aWriteThatWouldPassTheSizeLimit_isTooLarge() throws Exception {
    long now = plainSize(doc);
    WriteCheck small = new WriteCheck(doc, Shape.of(Shape.AGENT_SESSION), now + 100);
    assertDoesNotThrow(() -> small.size(100));
    ChorusException e = refused(ErrorCode.TOO_LARGE, () -> small.size(101));
    assertTrue(e.getMessage().contains(String.valueOf(now + 100)), e.getMessage());
  }

  @Test
  void theEstimateGrowsWithWrites_andIsMeasuredAgainBeforeRefusing() throws Exception {
    long now = plainSize(doc);
    WriteCheck small = new WriteCheck(doc, Shape.of(Shape.AGENT_SESSION), now + 100);
    small.size(10);
    // the estimate says the document grew by 1000 bytes; it did not
    small.grew(1000);
    assertDoesNotThrow(() -> small.size(50), "measured again: the write fits");
    // it really grows now
    write(
        doc,
        ALICE,
        null,
        "[{\"op\":\"set\",\"path\":\"notes\",\"value\":\"" + "x".repeat(80) + "\"}]");
    small.grew(82);
    refused(ErrorCode.TOO_LARGE, () -> small.size(50));
    assertDoesNotThrow(() -> small.size(5));
  }

  @Test
  void aRefusedCheckChangesNothing() {
    VersionVector v1 = withTask();
    write(doc, BOB, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    String hash = doc.stateHash();
    VersionVector version = doc.version();
    refused(ErrorCode.PRECONDITION_FAILED, () -> check.precondition(v1, ops(SET_T1)));
    refused(
        ErrorCode.SCHEMA_VIOLATION,
        () -> check.shape(ops("[{\"op\":\"delete\",\"path\":\"tasks\"}]")));
    assertEquals(hash, doc.stateHash());
    assertEquals(version, doc.version());
  }
}
