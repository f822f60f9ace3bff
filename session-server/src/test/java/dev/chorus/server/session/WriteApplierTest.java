package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.PLANNER;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.batch;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The apply stage (docs/protocol.md "batch": all or nothing, one CRDT change, one resulting
 * version; docs/semantics.md §3, §4 for the conflicts): the change with the element ids its inserts
 * made, and the conflict events of this edit only.
 */
class WriteApplierTest {
  private static final String TASK =
      "{\"title\":\"T\",\"status\":\"todo\",\"assignee\":null,\"claim\":null}";

  private final Doc doc = agentSessionDoc();
  private final WriteApplier applier = new WriteApplier(doc);

  private WriteApplier.Applied apply(Author a, VersionVector basedOn, String opsJson) {
    return applier.apply(a, basedOn, OpTranslation.resolve(batch("b", "", opsJson).ops()), 1_000L);
  }

  private VersionVector withTask() {
    apply(ALICE, doc.version(), "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":" + TASK + "}]");
    return doc.version();
  }

  @Test
  void aBatchIsOneChange_withTheIdsItsInsertsMade() {
    VersionVector before = doc.version();
    WriteApplier.Applied a =
        apply(
            ALICE,
            before,
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"a\"},"
                + "{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":"
                + TASK
                + "},"
                + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"$0\",\"value\":\"b\"}]");
    Change c = a.change();
    assertNotNull(c);
    assertEquals(ALICE, c.author());
    assertEquals(before, c.basedOn());
    assertEquals(doc.version(), before.with("n1", c.endCounter()), "one change, one version");
    assertEquals(3, a.ids().length);
    assertNotNull(a.ids()[0]);
    assertNull(a.ids()[1]);
    assertEquals(List.of("a", "b"), doc.get(Path.of("plan")));
    assertEquals("a", doc.get(Path.of("plan", a.ids()[0])));
    assertEquals("b", doc.get(Path.of("plan", a.ids()[2])));
    assertEquals(List.of(), a.events());
  }

  @Test
  void aBatchWithAFailingOp_appliesNothing() {
    withTask();
    VersionVector version = doc.version();
    String hash = doc.stateHash();
    DocException e =
        assertThrows(
            DocException.class,
            () ->
                apply(
                    ALICE,
                    version,
                    "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"},"
                        + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"x\"},"
                        + "{\"op\":\"set\",\"path\":\"nowhere/at/all\",\"value\":1}]"));
    assertEquals(DocException.Code.PATH_NOT_FOUND, e.code());
    assertEquals(version, doc.version());
    assertEquals(hash, doc.stateHash());
    assertEquals("todo", doc.get(Path.of("tasks", "t1", "status")));
    assertEquals(List.of(), doc.get(Path.of("plan")));
    // the next batch applies normally and hears nothing of the failed one
    WriteApplier.Applied next =
        apply(ALICE, version, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    assertNotNull(next.change());
    assertEquals(List.of(), next.events());
  }

  @Test
  void aBaseTheDocumentDoesNotHave_isRefused() {
    VersionVector ahead = doc.version().with("n2", 5);
    DocException e =
        assertThrows(
            DocException.class,
            () -> apply(ALICE, ahead, "[{\"op\":\"set\",\"path\":\"x\",\"value\":1}]"));
    assertEquals(DocException.Code.UNKNOWN_BASE, e.code());
    assertEquals(dev.chorus.server.protocol.ErrorCode.STALE_BASE, WritePath.refusal(e).code());
  }

  @Test
  void concurrentAssignments_openAConflict_andAWriteThatSawBoth_resolvesIt() {
    VersionVector v1 = withTask();
    WriteApplier.Applied first =
        apply(ALICE, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    assertEquals(List.of(), first.events());
    WriteApplier.Applied second =
        apply(
            PLANNER, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
    assertEquals(1, second.events().size(), second.events().toString());
    ConflictEvent.Opened opened =
        assertInstanceOf(ConflictEvent.Opened.class, second.events().get(0));
    assertEquals("tasks/t1/status", opened.conflict().path().toString());
    assertEquals(2, opened.conflict().intents().size());

    WriteApplier.Applied resolving =
        apply(
            BOB,
            doc.version(),
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    assertEquals(1, resolving.events().size());
    ConflictEvent.Resolved resolved =
        assertInstanceOf(ConflictEvent.Resolved.class, resolving.events().get(0));
    assertEquals(BOB, resolved.by());
    assertEquals(opened.conflict().id(), resolved.conflict().id());
    assertEquals(resolving.change().id(), resolved.op());
  }

  @Test
  void eventsOfChangesFromElsewhere_areNotTakenAsThisEditsEvents() {
    VersionVector v1 = withTask();
    // another replica, which had v1, writes the status concurrently with alice here
    Doc other = new Doc("n2");
    doc.history().forEach(other::apply);
    Change remote =
        write(
            other,
            PLANNER,
            v1,
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
    apply(ALICE, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    doc.apply(remote);
    assertEquals(1, doc.conflicts().size(), "the remote change opened a conflict");
    WriteApplier.Applied next =
        apply(
            ALICE, doc.version(), "[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"U\"}]");
    assertEquals(List.of(), next.events(), "this edit opened and resolved nothing");
  }

  @Test
  void opsThatChangeNothing_makeNoChange() {
    apply(
        ALICE, doc.version(), "[{\"op\":\"set\",\"path\":\"notes\",\"value\":{\"$text\":\"hi\"}}]");
    VersionVector version = doc.version();
    WriteApplier.Applied a =
        apply(
            ALICE,
            version,
            "[{\"op\":\"splice\",\"path\":\"notes\",\"index\":1,\"delete\":0,\"insert\":\"\"}]");
    assertNull(a.change());
    assertEquals(List.of(), a.events());
    assertEquals(version, doc.version());
  }

  @Test
  void aStaleWriteOnlySupersedesWhatItSaw() {
    VersionVector v1 = withTask();
    apply(BOB, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"Bob's\"}]");
    // alice had not seen bob's title: both stay, as a conflict
    WriteApplier.Applied a =
        apply(ALICE, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"Alice's\"}]");
    assertEquals(1, a.events().size());
    @SuppressWarnings("unchecked")
    Map<String, Object> task = (Map<String, Object>) doc.get(Path.of("tasks", "t1"));
    assertTrue(List.of("Bob's", "Alice's").contains(task.get("title")));
  }
}
