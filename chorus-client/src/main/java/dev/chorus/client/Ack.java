package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A batch the server made durable.
 *
 * @param version the document version right after the batch
 * @param results one entry per op: {@code {"id": ...}} for an insert, null otherwise
 * @param duplicate true when the server had applied this batch id already (a re-send)
 */
public record Ack(String batchId, String version, JsonNode results, boolean duplicate) {
  static Ack of(JsonNode frame) {
    return new Ack(
        frame.path("batchId").asText(),
        frame.path("version").asText(),
        frame.path("results"),
        frame.path("duplicate").asBoolean(false));
  }
}
