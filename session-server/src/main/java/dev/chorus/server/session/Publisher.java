package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The publish stage: once a group of writes is durable, ack each (in apply order), send its {@code
 * change} frame to the other participants and its conflict events to everyone, then publish the
 * group to the other replicas; and the same frames for changes other replicas made. A change frame
 * is encoded once per change as text (the change and ops JSON copied in, not parsed again), and
 * once more only if some participant wants the document with it. On the session's context.
 */
final class Publisher {
  private final String sessionId;
  private final Participants participants;
  private final Replicator replicator;
  private final Metrics metrics;
  private final Supplier<ObjectNode> view;

  Publisher(
      String sessionId,
      Participants participants,
      Replicator replicator,
      Metrics metrics,
      Supplier<ObjectNode> view) {
    this.sessionId = sessionId;
    this.participants = participants;
    this.replicator = replicator;
    this.metrics = metrics;
    this.view = view;
  }

  /** A group of local writes is durable. */
  void committed(List<PendingWrite> group, List<OpLogEntry> entries) {
    for (PendingWrite w : group) {
      BatchResult r = w.result();
      metrics.applied(w.batch().ops().size());
      metrics.batchLatency(System.nanoTime() - w.startNanos());
      w.outcome().complete(r);
      if (participants.anyBut(w.origin())) {
        sendChange(
            w.author(),
            w.batch().batchId(),
            w.opsJson(),
            w.changeJson(),
            w.version(),
            r.version(),
            w.view(),
            w.origin());
      }
      sendEvents(w.events(), r.version());
    }
    replicator.publish(sessionId, entries);
  }

  /**
   * Changes of other replicas were applied, in this order, starting from {@code before}: one {@code
   * change} frame each (with the version right after it), then the conflict events.
   *
   * @param entryOf the op-log entry a change came in (for its ops and batch), or null
   */
  void remoteApplied(
      VersionVector before,
      List<Change> applied,
      Function<Change, OpLogEntry> entryOf,
      Function<Change, String> batchOf,
      List<ConflictEvent> events,
      VersionVector now) {
    if (participants.isEmpty()) {
      events.forEach(this::count);
      return;
    }
    ObjectNode after = participants.anyWantsSnapshots() ? view.get() : null;
    VersionVector v = before;
    for (Change c : applied) {
      v = v.with(c.replica(), c.endCounter());
      OpLogEntry e = entryOf.apply(c);
      String opsJson = e != null && e.opsJson() != null ? e.opsJson() : "[]";
      String changeJson = e != null ? e.changeJson() : ChangeCodec.toJsonString(c);
      sendChange(c.author(), batchOf.apply(c), opsJson, changeJson, v, v.toString(), after, null);
    }
    sendEvents(events, now.toString());
  }

  private void sendChange(
      Author author,
      String batchId,
      String opsJson,
      String changeJson,
      VersionVector version,
      String v,
      ObjectNode view,
      Participant except) {
    EncodedFrame lean =
        new EncodedFrame(changeFrame(author, batchId, opsJson, changeJson, v, null), version);
    EncodedFrame full =
        view == null
            ? lean
            : new EncodedFrame(changeFrame(author, batchId, opsJson, changeJson, v, view), version);
    for (Participant q : participants.all()) {
      if (q != except) {
        q.send(q.wantsSnapshots() ? full : lean);
      }
    }
  }

  /**
   * The {@code change} frame's text, put together around the change and ops JSON it carries as they
   * are (a frame per write: no generator, no second copy of the text).
   */
  static String changeFrame(
      Author author,
      String batchId,
      String opsJson,
      String changeJson,
      String version,
      ObjectNode view) {
    StringBuilder b = new StringBuilder(128 + opsJson.length() + changeJson.length());
    b.append("{\"type\":\"change\",\"author\":{\"id\":");
    Values.quoted(b, author.actorId());
    b.append(",\"kind\":");
    Values.quoted(b, author.kind().wireName());
    b.append('}');
    if (batchId != null) {
      b.append(",\"batchId\":");
      Values.quoted(b, batchId);
    }
    b.append(",\"ops\":").append(opsJson);
    b.append(",\"changes\":[").append(changeJson).append(']');
    b.append(",\"version\":");
    Values.quoted(b, version);
    if (view != null) {
      b.append(",\"stateHash\":").append(view.get("stateHash"));
      b.append(",\"doc\":").append(view.get("doc"));
    }
    return b.append('}').toString();
  }

  private void sendEvents(List<ConflictEvent> events, String version) {
    for (ConflictEvent ev : events) {
      ObjectNode f = conflictFrame(ev);
      f.put("version", version);
      participants.sendAll(f);
    }
  }

  private ObjectNode conflictFrame(ConflictEvent ev) {
    count(ev);
    ObjectNode f = Values.NODES.objectNode();
    if (ev instanceof ConflictEvent.Opened o) {
      f.put("type", "conflict.opened");
      f.set("conflict", WireJson.conflict(o.conflict()));
    } else if (ev instanceof ConflictEvent.Resolved res) {
      f.put("type", "conflict.resolved");
      f.set("conflict", WireJson.conflict(res.conflict()));
      f.set("by", WireJson.actor(res.by()));
      f.put("op", res.op().toString());
    }
    return f;
  }

  private void count(ConflictEvent ev) {
    if (ev instanceof ConflictEvent.Opened) {
      metrics.conflictOpened();
    } else {
      metrics.conflictResolved();
    }
  }
}
