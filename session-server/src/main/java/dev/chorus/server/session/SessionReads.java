package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import java.util.Collection;

/**
 * What a session shows its readers, as wire JSON: the document (with or without list ids), its
 * conflicts, the changes since a version, presence, the REST body and a participant's {@code
 * welcome}. Reads only; on the session's context ({@link Session#reads}).
 */
public final class SessionReads {
  private final String id;
  private final Shape shape;
  private final Doc doc;
  private final ChangeHistory history;
  private final PresenceBoard presence;

  SessionReads(String id, Shape shape, Doc doc, ChangeHistory history, PresenceBoard presence) {
    this.id = id;
    this.shape = shape;
    this.doc = doc;
    this.history = history;
    this.presence = presence;
  }

  /** The open conflicts as on the wire. */
  public ArrayNode conflicts() {
    ArrayNode a = Values.NODES.arrayNode();
    for (Conflict c : doc.conflicts()) {
      a.add(WireJson.conflict(c));
    }
    return a;
  }

  /** The document with list element ids ({@code docs/protocol.md}, "The document on the wire"). */
  JsonNode doc() {
    return DocView.withIds(doc);
  }

  /** The document as plain JSON (lists without ids). */
  JsonNode plain() {
    return Values.toJson(doc.toPlain());
  }

  /**
   * Changes not included in {@code since}, oldest first, each as a change body ({@code author,
   * batchId, changes, version}); throws {@code stale_base} if they are no longer retained. An empty
   * {@code since} asks for every change retained (since the compaction floor), as docs/protocol.md
   * promises — not for the changes before it, which a compacted session no longer has.
   */
  public ArrayNode changesSince(VersionVector since) {
    return history.since(since.isEmpty() ? doc.horizon() : since);
  }

  /** {@code GET /v1/sessions/{id}} body. */
  public ObjectNode snapshot(boolean plain) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("session", id);
    o.put("shape", shape.name());
    o.put("version", doc.version().toString());
    o.put("stateHash", doc.stateHash());
    o.set("doc", plain ? plain() : doc());
    o.set("conflicts", conflicts());
    return o;
  }

  /**
   * The changes not included in {@code since} that touched one of {@code paths} (or an ancestor or
   * descendant; the root path is everything), op by op, as UnseenChange JSON; {@code stale_base} if
   * {@code since} is not one of this document's versions or older than its history.
   */
  public ArrayNode changesTouching(VersionVector since, Collection<Path> paths) {
    if (!doc.version().dominates(since)) {
      throw new ChorusException(
          ErrorCode.STALE_BASE, "version " + since + " includes changes this server does not have");
    }
    ArrayNode a = Values.NODES.arrayNode();
    try {
      doc.unseenChanges(since, paths).forEach(u -> a.add(WireJson.unseen(u)));
    } catch (DocException e) {
      throw WritePath.refusal(e);
    }
    return a;
  }

  /** Who is here: the presence of every participant that set one, on every node. */
  public ArrayNode presence() {
    ArrayNode a = Values.NODES.arrayNode();
    presence.writeTo(a);
    return a;
  }

  /** {@code stateHash} and {@code doc} now, for participants that want the whole document. */
  ObjectNode view() {
    ObjectNode v = Values.NODES.objectNode();
    v.put("stateHash", doc.stateHash());
    v.set("doc", doc());
    return v;
  }

  /**
   * A participant's {@code welcome}: the changes since {@code since} when they are still retained
   * ({@code resumed: true}), else the whole document; conflicts and presence always.
   */
  ObjectNode welcome(Participant p, String since) {
    ObjectNode w = Values.NODES.objectNode();
    w.put("type", "welcome");
    w.put("session", id);
    w.put("shape", shape.name());
    w.put("participantId", p.participantId());
    w.set("actor", WireJson.actor(p.principal().author()));
    w.put("role", p.principal().role().wireName());
    w.put("version", doc.version().toString());
    w.put("stateHash", doc.stateHash());
    boolean resumed = false;
    if (since != null) {
      try {
        w.set("changes", history.since(VersionVector.parse(since)));
        resumed = true;
      } catch (IllegalArgumentException | ChorusException e) {
        resumed = false;
      }
    }
    w.put("resumed", resumed);
    if (!resumed || p.wantsSnapshots()) {
      w.set("doc", doc());
    }
    w.set("conflicts", conflicts());
    presence.writeTo(w.putArray("presence"));
    return w;
  }
}
