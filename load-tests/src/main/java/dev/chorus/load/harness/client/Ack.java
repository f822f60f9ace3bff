package dev.chorus.load.harness.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An {@code ack} as the client got it: the batch, the version right after it, the per-op results
 * (element ids of inserts), whether the server had it already ({@code duplicate}), how many ops the
 * batch had, how often it was sent, and the latency from its first send.
 */
public record Ack(
    String batchId,
    String version,
    JsonNode results,
    boolean duplicate,
    int ops,
    String basedOn,
    int attempts,
    long latencyNanos) {

  /** The element id the op at {@code index} inserted (null if none). */
  public String insertedId(int index) {
    JsonNode r = results == null ? null : results.get(index);
    return r == null || !r.has("id") ? null : r.get("id").asText();
  }
}
