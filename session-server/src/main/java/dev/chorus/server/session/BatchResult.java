package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.Values;
import java.util.Map;

/**
 * The result of a batch: what its ack (websocket) or response (REST) says.
 *
 * @param results one entry per op: {@code {"id": ...}} for an insert, null otherwise
 * @param resultsJson {@code results} as compact JSON (the ack and the stored batch record carry it)
 * @param duplicate true when the batch id was already applied and this is its earlier result
 * @param view {@code stateHash} and {@code doc} for clients that asked for snapshots, else null
 */
public record BatchResult(
    String batchId,
    String version,
    ArrayNode results,
    String resultsJson,
    boolean duplicate,
    ObjectNode view) {

  /**
   * The result of a batch just applied, from the element ids its ops made ({@code null} for an op
   * that made none): the results as a tree (REST, re-sent batches) and printed once (ack, batch
   * record) without a generator.
   */
  static BatchResult of(String batchId, String version, String[] ids, ObjectNode view) {
    ArrayNode results = Values.NODES.arrayNode();
    StringBuilder json = new StringBuilder(2 + 8 * ids.length).append('[');
    for (String id : ids) {
      if (json.length() > 1) {
        json.append(',');
      }
      if (id == null) {
        results.addNull();
        json.append("null");
      } else {
        results.addObject().put("id", id);
        Values.quoted(json.append("{\"id\":"), id).append('}');
      }
    }
    return new BatchResult(batchId, version, results, json.append(']').toString(), false, view);
  }

  /** The same result, marked as the answer to a re-sent batch. */
  BatchResult asDuplicate() {
    return new BatchResult(batchId, version, results, resultsJson, true, view);
  }

  /**
   * The websocket ack: the {@link #toJson ack body} and {@code "type": "ack"}, written straight to
   * text (an ack per write: no tree built to be printed).
   */
  public EncodedFrame ackFrame() {
    StringBuilder b = new StringBuilder(96 + resultsJson.length());
    Values.quotedOrNull(b.append("{\"batchId\":"), batchId);
    Values.quotedOrNull(b.append(",\"version\":"), version);
    b.append(",\"results\":").append(resultsJson);
    b.append(",\"duplicate\":").append(duplicate);
    if (view != null) {
      for (Map.Entry<String, JsonNode> e : view.properties()) {
        Values.quoted(b.append(','), e.getKey()).append(':').append(e.getValue());
      }
    }
    return new EncodedFrame(b.append(",\"type\":\"ack\"}").toString(), null);
  }

  /** The ack body. */
  public ObjectNode toJson() {
    ObjectNode o = Values.NODES.objectNode();
    o.put("batchId", batchId);
    o.put("version", version);
    o.set("results", results);
    o.put("duplicate", duplicate);
    if (view != null) {
      o.setAll(view);
    }
    return o;
  }
}
