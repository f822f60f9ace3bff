package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A batch the server made durable.
 *
 * @param version the document version right after the batch
 * @param results one entry per op: {@code {"id": ...}} for an insert, null otherwise
 * @param duplicate true when the server had applied this batch id already (a re-send)
 * @param sends how often the client wrote the batch (more than 1: re-sent after a retryable refusal
 *     or a reconnect)
 * @param latencyNanos from {@code submit} to the ack, waits for retries and reconnects included:
 *     what the write cost its author
 */
public record Ack(
    String batchId,
    String version,
    JsonNode results,
    boolean duplicate,
    int sends,
    long latencyNanos) {

  /** The element id the op at {@code index} inserted (null if it inserted none). */
  public String insertedId(int index) {
    JsonNode r = results == null ? null : results.get(index);
    return r == null || !r.hasNonNull("id") ? null : r.get("id").asText();
  }
}
