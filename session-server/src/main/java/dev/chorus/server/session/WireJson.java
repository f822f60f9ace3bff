package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.UnseenChange;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.Intent;
import dev.chorus.server.protocol.Values;

/** JSON forms of CRDT values that travel (actors, conflicts, intents). Stateless. */
public final class WireJson {
  /** Most intents one conflict carries on the wire ({@code intentCount} has the total). */
  public static final int MAX_INTENTS = 32;

  private WireJson() {}

  public static ObjectNode actor(Author a) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("id", a.actorId());
    o.put("kind", a.kind().wireName());
    return o;
  }

  /** Wire kind: the CRDT kinds, plus {@code claim} for concurrent claims of a task. */
  public static String kind(Conflict c) {
    var segs = c.path().segments();
    if (segs.size() == 3 && segs.get(0).equals("tasks") && segs.get(2).equals("claim")) {
      return "claim";
    }
    return c.kind().wireName();
  }

  public static ObjectNode conflict(Conflict c) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("id", c.id());
    o.put("kind", kind(c));
    o.put("path", c.path().toString());
    o.set("winner", value(c.winner()));
    ArrayNode intents = o.putArray("intents");
    // A register many stale writers hit concurrently can hold hundreds of values; every event
    // would repeat them all. Send the first MAX_INTENTS (op-id order) and the true count.
    o.put("intentCount", c.intents().size());
    for (Intent i : c.intents().subList(0, Math.min(MAX_INTENTS, c.intents().size()))) {
      ObjectNode n = intents.addObject();
      n.put("op", i.op().toString());
      n.set("author", actor(i.author()));
      n.put("timestamp", i.timestamp());
      n.put("role", i.role());
      n.set("value", value(i.value()));
    }
    o.put("summary", c.summary());
    return o;
  }

  /** An UnseenChange ({@code docs/protocol.md}): a strict write's refusal, or what changed. */
  public static ObjectNode unseen(UnseenChange u) {
    ObjectNode n = Values.NODES.objectNode();
    n.put("path", u.path().toString());
    n.set("value", Values.toJson(u.value()));
    n.set("author", actor(u.author()));
    n.put("action", u.action());
    n.put("op", u.op().toString());
    n.put("version", u.version());
    return n;
  }

  static JsonNode value(Object v) {
    return Values.toJson(v);
  }
}
