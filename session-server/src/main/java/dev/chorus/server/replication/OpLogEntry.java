package dev.chorus.server.replication;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.server.protocol.Values;
import java.io.IOException;

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

  /**
   * Compact JSON (short field names: entries travel on every write), written straight from the
   * fields: the change, results and ops are already JSON (made by this server or read from an
   * entry), so they are copied, not parsed and printed again — this runs for every change on the
   * op-log write and again on the publish.
   */
  public String toJsonString() {
    return Values.jsonString(this::writeTo);
  }

  /** Writes {@link #toJsonString} to {@code g} (an envelope carrying several entries). */
  public void writeTo(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeStringField("r", replica);
    g.writeNumberField("s", startCounter);
    g.writeNumberField("e", endCounter);
    g.writeFieldName("c");
    g.writeRawValue(changeJson);
    if (resultsJson != null) {
      g.writeFieldName("res");
      g.writeRawValue(resultsJson);
    }
    if (opsJson != null) {
      g.writeFieldName("ops");
      g.writeRawValue(opsJson);
    }
    if (batchId != null) {
      g.writeStringField("b", batchId);
      g.writeStringField("h", contentHash);
      g.writeStringField("v", version);
    }
    g.writeNumberField("q", seq);
    g.writeEndObject();
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
