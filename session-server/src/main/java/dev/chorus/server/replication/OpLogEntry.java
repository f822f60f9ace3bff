package dev.chorus.server.replication;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.Values;

/**
 * One entry of the replicated op log: a CRDT change (codec JSON) with what other replicas need to
 * treat it as their own — the batch it came from (for idempotent re-sends on any node), the ack the
 * origin gave, the client ops as applied (for {@code change} frames) and the origin's log position.
 *
 * <p>Entries are immutable and keyed by the change id ({@link #key}): the same key always carries
 * the same entry, so storing one twice, in any order, on any node, is harmless (set union).
 *
 * @param replica the replica that recorded the change
 * @param startCounter the change's first op counter (with {@code replica}: its unique id)
 * @param endCounter the change's last op counter
 * @param changeJson the change, {@code dev.chorus.crdt.codec.ChangeCodec} JSON
 * @param batchId the client's batch id, or null (server-made changes: initial content, leases)
 * @param contentHash hash of the batch content (with {@code batchId})
 * @param version the version the origin acked the batch with (with {@code batchId})
 * @param resultsJson the ack's {@code results} array as JSON (with {@code batchId})
 * @param opsJson the client ops as applied, JSON array, or null if unknown
 * @param seq the origin's log position (a Lamport-style counter, for ordering and trimming)
 */
public record OpLogEntry(
    String replica,
    long startCounter,
    long endCounter,
    String changeJson,
    String batchId,
    String contentHash,
    String version,
    String resultsJson,
    String opsJson,
    long seq) {

  /** The op-log key of a change: {@code sessionId/replica/startCounter}. */
  public static String key(String sessionId, String replica, long startCounter) {
    return sessionId + "/" + replica + "/" + startCounter;
  }

  public String key(String sessionId) {
    return key(sessionId, replica, startCounter);
  }

  /** Compact JSON (short field names: entries travel on every write). */
  public ObjectNode toJson() {
    ObjectNode o = Values.NODES.objectNode();
    o.put("r", replica);
    o.put("s", startCounter);
    o.put("e", endCounter);
    try {
      o.set("c", Values.MAPPER.readTree(changeJson));
      if (resultsJson != null) {
        o.set("res", Values.MAPPER.readTree(resultsJson));
      }
      if (opsJson != null) {
        o.set("ops", Values.MAPPER.readTree(opsJson));
      }
    } catch (Exception e) {
      throw new IllegalArgumentException("entry holds invalid JSON", e);
    }
    if (batchId != null) {
      o.put("b", batchId);
      o.put("h", contentHash);
      o.put("v", version);
    }
    o.put("q", seq);
    return o;
  }

  public String toJsonString() {
    return toJson().toString();
  }

  public static OpLogEntry fromJson(String json) {
    try {
      return fromJson(Values.MAPPER.readTree(json));
    } catch (Exception e) {
      throw new IllegalArgumentException("not an op-log entry: " + e.getMessage(), e);
    }
  }

  public static OpLogEntry fromJson(JsonNode o) {
    if (!o.isObject() || !o.path("c").isObject() || !o.path("r").isTextual()) {
      throw new IllegalArgumentException("not an op-log entry");
    }
    return new OpLogEntry(
        o.get("r").asText(),
        o.path("s").asLong(),
        o.path("e").asLong(),
        o.get("c").toString(),
        o.hasNonNull("b") ? o.get("b").asText() : null,
        o.hasNonNull("h") ? o.get("h").asText() : null,
        o.hasNonNull("v") ? o.get("v").asText() : null,
        o.hasNonNull("res") ? o.get("res").toString() : null,
        o.hasNonNull("ops") ? o.get("ops").toString() : null,
        o.path("q").asLong());
  }
}
