package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.PLANNER;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.json;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.session.StageFixtures.RecordingParticipant;
import dev.chorus.server.session.StageFixtures.RecordingReplicator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The publish stage (docs/protocol.md, server → client {@code ack}, {@code change}, {@code
 * conflict.*}): once durable, each write is acked and its change frame, encoded once, goes to every
 * participant but the one that sent it; conflict events go to everyone, after the change; changes
 * of other replicas reach everyone with the version this node has right after each.
 */
class PublisherTest {
  private static final String TASK =
      "{\"title\":\"T\",\"status\":\"todo\",\"assignee\":null,\"claim\":null}";

  private final Doc doc = agentSessionDoc();
  private final StageFixtures.Writer writer = new StageFixtures.Writer(doc);
  private final Participants participants = new Participants();
  private final RecordingReplicator replicator = new RecordingReplicator();
  private final Metrics metrics = new Metrics();
  private final AtomicInteger views = new AtomicInteger();
  private final Publisher publisher =
      new Publisher("s1", participants, replicator, metrics, this::view);

  private final RecordingParticipant alice = new RecordingParticipant("p-alice", ALICE);
  private final RecordingParticipant bob = new RecordingParticipant("p-bob", BOB);
  private final RecordingParticipant planner = new RecordingParticipant("p-planner", PLANNER);

  private ObjectNode view() {
    views.incrementAndGet();
    ObjectNode v = Values.NODES.objectNode();
    v.put("stateHash", doc.stateHash());
    v.set("doc", DocView.withIds(doc));
    return v;
  }

  private void join(RecordingParticipant... ps) {
    for (RecordingParticipant p : ps) {
      participants.add(p);
    }
  }

  private PendingWrite task(RecordingParticipant origin) {
    return writer.write(
        ALICE,
        "b-task",
        null,
        "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":" + TASK + "}]",
        origin,
        null);
  }

  private static OpLogEntry entry(PendingWrite w) {
    Change c = w.change();
    return new OpLogEntry(
        c.replica(),
        c.startCounter(),
        c.endCounter(),
        w.changeJson(),
        w.batch().batchId(),
        w.batch().contentHash(),
        w.version().toString(),
        w.result().results().toString(),
        w.opsJson(),
        w.seq());
  }

  private double count(String name) {
    return metrics.registry().find(name).counter().count();
  }

  @Test
  void theChangeFrameText_isValidJson_withEveryStringEscaped() throws Exception {
    Author odd = Author.agent("agent \"q\"\\\u0001é😀");
    String ops = "[{\"op\":\"set\",\"path\":\"a\",\"value\":\"x\\\"y\"}]";
    String change = "{\"replica\":\"n1\",\"start\":3}";
    String text = Publisher.changeFrame(odd, "b\"1\n", ops, change, "n1:3", null);
    JsonNode f = json(text);
    assertEquals("change", f.path("type").asText());
    assertEquals(odd.actorId(), f.path("author").path("id").asText());
    assertEquals("agent", f.path("author").path("kind").asText());
    assertEquals("b\"1\n", f.path("batchId").asText());
    assertEquals(json(ops), f.path("ops"));
    assertEquals(json(change), f.path("changes").path(0));
    assertEquals("n1:3", f.path("version").asText());
    assertEquals(
        "{\"type\":\"change\",\"author\":{\"id\":\"a1\",\"kind\":\"human\"},\"ops\":[],"
            + "\"changes\":[{}],\"version\":\"\"}",
        Publisher.changeFrame(Author.human("a1"), null, "[]", "{}", "", null));
    ObjectNode view = Values.NODES.objectNode().put("stateHash", "h\"");
    view.putObject("doc").put("k", 1);
    JsonNode full = json(Publisher.changeFrame(odd, null, ops, change, "n1:3", view));
    assertEquals("h\"", full.path("stateHash").asText());
    assertEquals(view.get("doc"), full.path("doc"));
    assertFalse(full.has("batchId"));
  }

  @Test
  void aChangeIsEncodedOnce_andSentToEveryParticipantButItsOrigin() {
    RecordingParticipant carol = new RecordingParticipant("p-carol", Author.human("carol"));
    join(alice, bob, carol);
    PendingWrite w = task(alice);
    publisher.committed(List.of(w), List.of(entry(w)));

    assertEquals(List.of(), alice.frames, "the origin gets its ack, not a change frame");
    assertEquals(1, bob.frames.size());
    assertEquals(1, carol.frames.size());
    EncodedFrame f = bob.frames.get(0);
    assertSame(f, carol.frames.get(0), "one encoding for all recipients");
    assertEquals(w.version(), f.changeVersion(), "a welcome that holds this version skips it");

    JsonNode change = json(f.text());
    assertEquals("change", change.path("type").asText());
    assertEquals(json("{\"id\":\"alice\",\"kind\":\"human\"}"), change.path("author"));
    assertEquals("b-task", change.path("batchId").asText());
    assertEquals(json(w.opsJson()), change.path("ops"));
    assertEquals("set", change.path("ops").get(0).path("op").asText());
    assertEquals(1, change.path("changes").size());
    assertEquals(json(ChangeCodec.toJsonString(w.change())), change.path("changes").get(0));
    assertEquals(w.version().toString(), change.path("version").asText());
    assertFalse(change.has("doc"), "nobody asked for snapshots");
    assertFalse(change.has("stateHash"));
  }

  @Test
  void theWriteIsAckedWithItsResult_andPublishedToTheOtherReplicasAfterwards() {
    join(alice, bob);
    PendingWrite w = task(alice);
    List<String> order = new ArrayList<>();
    w.outcome().result().onSuccess(r -> order.add("ack " + r.batchId() + " " + r.version()));
    List<OpLogEntry> entries = List.of(entry(w));
    publisher.committed(List.of(w), entries);
    assertEquals(List.of("ack b-task " + w.version()), order);
    assertEquals(1, replicator.published.size());
    assertEquals(entries, replicator.published.get(0));
    assertEquals(1.0, count("chorus.batches"));
    assertEquals(1.0, count("chorus.ops"));
  }

  @Test
  void aParticipantThatWantsSnapshots_getsTheDocumentWithTheChange_theOthersTheLeanFrame() {
    RecordingParticipant board = new RecordingParticipant("p-board", BOB, true);
    RecordingParticipant carol = new RecordingParticipant("p-carol", Author.human("carol"));
    join(alice, board, planner, carol);
    PendingWrite w =
        writer.write(
            ALICE,
            "b-1",
            null,
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"step\"}]",
            alice,
            null);
    // the write path takes the view right after the change when someone wants snapshots
    w =
        new PendingWrite(
            w.batch(),
            w.author(),
            w.change(),
            w.changeJson(),
            w.opsJson(),
            w.version(),
            w.events(),
            view(),
            w.outcome(),
            w.origin(),
            w.seq(),
            w.startNanos());
    publisher.committed(List.of(w), List.of(entry(w)));

    JsonNode full = json(board.frames.get(0).text());
    assertEquals(doc.stateHash(), full.path("stateHash").asText());
    assertEquals("step", full.path("doc").path("plan").get(0).path("value").asText());
    assertEquals(w.version(), board.frames.get(0).changeVersion());
    assertSame(planner.frames.get(0), carol.frames.get(0), "the lean frame, encoded once");
    assertNotSame(planner.frames.get(0), board.frames.get(0));
    assertFalse(json(planner.frames.get(0).text()).has("doc"));
    assertEquals(List.of(), alice.frames);
  }

  @Test
  void conflictEventsGoToEveryone_includingTheOrigins_afterTheChanges() {
    join(alice, bob, planner);
    PendingWrite t = task(null);
    publisher.committed(List.of(t), List.of(entry(t)));
    VersionVector v1 = doc.version();
    alice.frames.clear();
    bob.frames.clear();
    planner.frames.clear();

    PendingWrite a =
        writer.write(
            ALICE,
            "a-2",
            v1,
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]",
            alice,
            null);
    PendingWrite g =
        writer.write(
            PLANNER,
            "g-5",
            v1,
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]",
            planner,
            null);
    assertEquals(1, g.events().size());
    List<String> acks = new ArrayList<>();
    a.outcome().result().onSuccess(r -> acks.add(r.batchId()));
    g.outcome().result().onSuccess(r -> acks.add(r.batchId()));
    publisher.committed(List.of(a, g), List.of(entry(a), entry(g)));

    assertEquals(List.of("a-2", "g-5"), acks, "acked in apply order");
    assertEquals(List.of("change", "change", "conflict.opened"), bob.types());
    assertEquals(List.of("change", "conflict.opened"), alice.types());
    assertEquals("g-5", alice.json().get(0).path("batchId").asText());
    assertEquals(List.of("change", "conflict.opened"), planner.types());
    assertEquals("a-2", planner.json().get(0).path("batchId").asText());

    ObjectNode opened = bob.json().get(2);
    assertEquals(g.version().toString(), opened.path("version").asText());
    JsonNode c = opened.path("conflict");
    assertEquals("concurrent_assignment", c.path("kind").asText());
    assertEquals("tasks/t1/status", c.path("path").asText());
    assertEquals(2, c.path("intents").size());
    assertEquals(2, c.path("intentCount").asInt());
    assertEquals(null, bob.frames.get(2).changeVersion(), "only change frames carry a version");
    assertSame(bob.frames.get(2), alice.frames.get(1), "encoded once for everyone");
    assertEquals(1.0, count("chorus.conflicts.opened"));

    // bob saw both: his write resolves it
    PendingWrite r =
        writer.write(
            BOB,
            "r-1",
            null,
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]",
            bob,
            null);
    bob.frames.clear();
    publisher.committed(List.of(r), List.of(entry(r)));
    assertEquals(List.of("conflict.resolved"), bob.types());
    ObjectNode resolved = bob.json().get(0);
    assertEquals(json("{\"id\":\"bob\",\"kind\":\"human\"}"), resolved.path("by"));
    assertEquals(r.change().id().toString(), resolved.path("op").asText());
    assertEquals(r.version().toString(), resolved.path("version").asText());
    assertEquals("tasks/t1/status", resolved.path("conflict").path("path").asText());
    assertEquals(List.of("change", "conflict.resolved"), alice.types().subList(2, 4));
    assertEquals(1.0, count("chorus.conflicts.resolved"));
  }

  @Test
  void theOriginAlone_getsNoChangeFrame() {
    join(alice);
    PendingWrite w = task(alice);
    publisher.committed(List.of(w), List.of(entry(w)));
    assertEquals(List.of(), alice.frames);
    assertTrue(w.outcome().result().succeeded());
  }

  @Test
  void aWriteWithoutAConnection_reachesEveryone() {
    join(alice, bob);
    PendingWrite w = task(null); // REST
    publisher.committed(List.of(w), List.of(entry(w)));
    assertEquals(List.of("change"), alice.types());
    assertSame(alice.frames.get(0), bob.frames.get(0));
  }

  @Test
  void changesOfOtherReplicas_reachEveryone_withTheVersionRightAfterEach() {
    RecordingParticipant board = new RecordingParticipant("p-board", BOB, true);
    join(alice, board);
    Doc n2 = new Doc("n2");
    doc.history().forEach(n2::apply);
    Change c1 =
        write(n2, PLANNER, null, "[{\"op\":\"set\",\"path\":\"tasks/t9\",\"value\":" + TASK + "}]");
    Change c2 =
        write(
            n2,
            PLANNER,
            null,
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"x\"}]");
    VersionVector before = doc.version();
    List<ConflictEvent> events = new ArrayList<>();
    doc.apply(c1);
    doc.apply(c2);
    OpLogEntry e1 =
        new OpLogEntry(
            "n2",
            c1.startCounter(),
            c1.endCounter(),
            ChangeCodec.toJsonString(c1),
            "remote-1",
            "h",
            "v",
            "[null]",
            "[{\"op\":\"set\",\"path\":\"tasks/t9\",\"value\":{}}]",
            1);
    publisher.remoteApplied(
        before,
        List.of(c1, c2),
        c -> c == c1 ? e1 : null,
        c -> c == c1 ? "remote-1" : null,
        events,
        doc.version());

    assertEquals(List.of("change", "change"), alice.types());
    ObjectNode f1 = alice.json().get(0);
    ObjectNode f2 = alice.json().get(1);
    assertEquals("planner", f1.path("author").path("id").asText());
    assertEquals("remote-1", f1.path("batchId").asText());
    assertEquals(json(e1.opsJson()), f1.path("ops"));
    assertEquals(before.with("n2", c1.endCounter()).toString(), f1.path("version").asText());
    assertEquals(before.with("n2", c2.endCounter()), alice.frames.get(1).changeVersion());
    assertEquals(doc.version().toString(), f2.path("version").asText());
    assertFalse(f2.has("batchId"), "a change whose batch is not known");
    assertEquals(0, f2.path("ops").size(), "ops of a change known only by its CRDT change: []");
    assertEquals(json(ChangeCodec.toJsonString(c2)), f2.path("changes").get(0));
    assertTrue(json(board.frames.get(1).text()).has("doc"));
    assertEquals(1, views.get(), "the document is read once for the whole group");
  }

  @Test
  void remoteConflictEvents_followTheChanges_withTheVersionNow() {
    join(alice);
    VersionVector v1 =
        writer
            .write(
                ALICE,
                "b",
                null,
                "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":" + TASK + "}]",
                null,
                null)
            .version();
    Doc n2 = new Doc("n2");
    doc.history().forEach(n2::apply);
    Change remote =
        write(
            n2,
            PLANNER,
            v1,
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
    write(doc, ALICE, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    VersionVector before = doc.version();
    List<ConflictEvent> events = new ArrayList<>();
    doc.addListener((c, evs) -> events.addAll(evs));
    doc.apply(remote);
    assertEquals(1, events.size());
    publisher.remoteApplied(before, List.of(remote), c -> null, c -> null, events, doc.version());
    assertEquals(List.of("change", "conflict.opened"), alice.types());
    assertEquals(doc.version().toString(), alice.json().get(1).path("version").asText());
  }

  @Test
  void withNobodyConnected_remoteChangesAreOnlyCounted() {
    VersionVector v1 =
        writer
            .write(
                ALICE,
                "b",
                null,
                "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":" + TASK + "}]",
                null,
                null)
            .version();
    Doc n2 = new Doc("n2");
    doc.history().forEach(n2::apply);
    Change remote =
        write(
            n2,
            PLANNER,
            v1,
            "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
    write(doc, ALICE, v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
    List<ConflictEvent> events = new ArrayList<>();
    doc.addListener((c, evs) -> events.addAll(evs));
    VersionVector before = doc.version();
    doc.apply(remote);
    publisher.remoteApplied(before, List.of(remote), c -> null, c -> null, events, doc.version());
    assertEquals(0, views.get(), "no document read for nobody");
    assertEquals(1.0, count("chorus.conflicts.opened"));
  }
}
