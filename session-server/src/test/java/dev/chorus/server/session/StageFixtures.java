package dev.chorus.server.session;

import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.auth.Role;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;

/**
 * What the stage tests share: batches parsed as the websocket parses them, principals, a document
 * with the agent-session's initial content (the real {@link Doc}, no mocks), a participant that
 * records what it is sent and a replicator that records what it is told.
 */
final class StageFixtures {
  static final Author ALICE = Author.human("alice");
  static final Author BOB = Author.human("bob");
  static final Author PLANNER = Author.agent("planner");

  private StageFixtures() {}

  static Principal principal(Author a, Role role) {
    return new Principal(a.actorId(), a.kind(), Set.of("s1"), role, 0);
  }

  static Principal editor(Author a) {
    return principal(a, Role.EDITOR);
  }

  /** A {@code batch} frame as the websocket reads it. */
  static Frames.Batch batch(String batchId, String basedOn, String opsJson) {
    return batch(batchId, basedOn, false, opsJson);
  }

  static Frames.Batch batch(String batchId, String basedOn, boolean strict, String opsJson) {
    ObjectNode f = Values.NODES.objectNode();
    f.put("type", "batch");
    f.put("batchId", batchId);
    f.put("basedOn", basedOn);
    if (strict) {
      f.put("precondition", "unchanged");
    }
    f.set("ops", json(opsJson));
    return Frames.batch(f, null, true, 500);
  }

  /** A {@code resolve} frame as the websocket reads it. */
  static Frames.Batch resolve(String frameJson) {
    return Frames.resolve((ObjectNode) json(frameJson), null);
  }

  static JsonNode json(String text) {
    try {
      return Values.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** A fresh replica {@code n1} holding the agent-session's initial content (as a new session). */
  static Doc agentSessionDoc() {
    return agentSessionDoc("n1");
  }

  /** Like {@link #agentSessionDoc()}, replica {@code replica} (every replica's start is alike). */
  static Doc agentSessionDoc(String replica) {
    Doc doc = new Doc(replica);
    Doc seed = new Doc(Session.INIT_REPLICA);
    Map<String, Object> init = Shape.of(Shape.AGENT_SESSION).initialContent();
    doc.apply(
        seed.edit(
            Session.SERVER,
            seed.version(),
            0L,
            e -> init.forEach((k, v) -> e.set(Path.ROOT.child(k), v))));
    return doc;
  }

  /** Applies client ops (JSON array) as {@code author} at {@code basedOn} (null: now). */
  static Change write(Doc doc, Author author, VersionVector basedOn, String opsJson) {
    Frames.Batch b = batch("w", "", opsJson);
    List<OpTranslation.ResolvedOp> ops = OpTranslation.resolve(b.ops());
    String[] ids = new String[ops.size()];
    return doc.edit(
        author,
        basedOn == null ? doc.version() : basedOn,
        1_000L,
        e -> OpTranslation.translate(e, ops, ids, author, 1_000L));
  }

  /** Asserts that {@code body} refuses with {@code code} and returns the refusal. */
  static ChorusException refused(ErrorCode code, Executable body) {
    ChorusException e = assertThrows(ChorusException.class, body);
    if (e.code() != code) {
      throw new AssertionError("expected " + code + " but got " + e.code() + ": " + e.getMessage());
    }
    return e;
  }

  /** Like {@link #refused(ErrorCode, Executable)}, saying {@code why} if it fails. */
  static ChorusException refused(ErrorCode code, Executable body, String why) {
    try {
      return refused(code, body);
    } catch (AssertionError e) {
      throw new AssertionError(why + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs batches through translate and apply, as the write path does, and makes the write that then
   * waits for its commit (what {@link GroupCommit} and {@link Publisher} take).
   */
  static final class Writer {
    final Doc doc;
    final WriteApplier applier;
    final Idempotency idempotency = new Idempotency(1000);
    private long seq;

    Writer(Doc doc) {
      this.doc = doc;
      this.applier = new WriteApplier(doc);
    }

    /** A write of {@code author} based on {@code basedOn} (null: the current version). */
    PendingWrite write(
        Author author,
        String batchId,
        VersionVector basedOn,
        String opsJson,
        Participant origin,
        ObjectNode view) {
      VersionVector base = basedOn == null ? doc.version() : basedOn;
      Frames.Batch b = batch(batchId, base.toString(), opsJson);
      List<OpTranslation.ResolvedOp> ops = OpTranslation.resolve(b.ops());
      WriteApplier.Applied a = applier.apply(author, base, ops, 1_000L);
      VersionVector version = doc.version();
      Idempotency.Outcome outcome =
          idempotency.remember(
              batchId,
              b.contentHash(),
              Promise.promise(),
              BatchResult.of(batchId, version.toString(), a.ids(), null));
      return new PendingWrite(
          b,
          author,
          a.change(),
          ChangeCodec.toJsonString(a.change()),
          OpTranslation.appliedOpsJson(ops, a.ids()),
          version,
          a.events(),
          view,
          outcome,
          origin,
          ++seq,
          System.nanoTime());
    }
  }

  /** A connection that keeps every frame it is sent. */
  static final class RecordingParticipant implements Participant {
    final List<EncodedFrame> frames = Collections.synchronizedList(new ArrayList<>());
    final List<String> closes = new ArrayList<>();
    private final String id;
    private final Principal principal;
    private final boolean snapshots;

    RecordingParticipant(String id, Author actor) {
      this(id, actor, false);
    }

    RecordingParticipant(String id, Author actor, boolean snapshots) {
      this(id, editor(actor), snapshots);
    }

    RecordingParticipant(String id, Principal principal, boolean snapshots) {
      this.id = id;
      this.principal = principal;
      this.snapshots = snapshots;
    }

    @Override
    public String participantId() {
      return id;
    }

    @Override
    public String clientId() {
      return "client-" + id;
    }

    @Override
    public Principal principal() {
      return principal;
    }

    @Override
    public boolean wantsSnapshots() {
      return snapshots;
    }

    @Override
    public void send(EncodedFrame frame) {
      frames.add(frame);
    }

    @Override
    public void close(int status, String reason) {
      closes.add(status + " " + reason);
    }

    /** The frames as JSON, in the order sent. */
    List<ObjectNode> json() {
      List<ObjectNode> out = new ArrayList<>();
      synchronized (frames) {
        for (EncodedFrame f : frames) {
          out.add((ObjectNode) StageFixtures.json(f.text()));
        }
      }
      return out;
    }

    List<String> types() {
      return json().stream().map(f -> f.path("type").asText()).toList();
    }
  }

  /** A single-node replicator that records what it is asked to publish. */
  static final class RecordingReplicator implements Replicator {
    final List<List<OpLogEntry>> published = Collections.synchronizedList(new ArrayList<>());
    final List<String> presence = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void publish(String sessionId, List<OpLogEntry> entries) {
      published.add(List.copyOf(entries));
    }

    @Override
    public void publishPresence(String sessionId, ObjectNode participant, boolean left) {
      presence.add(
          sessionId + " " + participant.path("participantId").asText() + (left ? " left" : ""));
    }

    @Override
    public AutoCloseable subscribe(String sessionId, SessionListener listener) {
      return () -> {};
    }

    @Override
    public void onTopology(TopologyListener listener) {}

    @Override
    public boolean leads(String sessionId) {
      return true;
    }

    @Override
    public boolean clustered() {
      return false;
    }

    @Override
    public String health() {
      return "disabled";
    }

    @Override
    public int members() {
      return 1;
    }
  }
}
