package dev.chorus.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A refusal with a stable {@link ErrorCode}: becomes an {@code error} frame on the websocket and an
 * error body on REST. {@code details} (may be null) is merged into the error object (e.g. {@code
 * unseen} for {@code precondition_failed}, {@code retryAfterMs} for {@code rate_limited}).
 */
public final class ChorusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final transient JsonNode details;

  public ChorusException(ErrorCode code, String message) {
    this(code, message, null);
  }

  public ChorusException(ErrorCode code, String message, JsonNode details) {
    super(message, null, false, false);
    this.code = code;
    this.details = details;
  }

  public ErrorCode code() {
    return code;
  }

  public JsonNode details() {
    return details;
  }

  /** The same refusal naming the batch it refused ({@code batchId} among the details). */
  public ChorusException withBatchId(String batchId) {
    ObjectNode d = details instanceof ObjectNode o ? o.deepCopy() : Values.NODES.objectNode();
    d.put("batchId", batchId);
    return new ChorusException(code, getMessage(), d);
  }

  /** The websocket and event-stream frame of this error: {@code {"type": "error", ...toJson()}}. */
  public ObjectNode toFrame() {
    ObjectNode f = Values.NODES.objectNode().put("type", "error");
    f.setAll(toJson());
    return f;
  }

  /** The error as it travels: {@code {"code", "message", ...details}}. */
  public ObjectNode toJson() {
    ObjectNode o = Values.NODES.objectNode();
    o.put("code", code.wireName());
    o.put("message", getMessage());
    if (details instanceof ObjectNode d) {
      o.setAll(d);
    }
    return o;
  }

  /** {@code t} as a refusal: itself, or {@code internal} for anything unexpected. */
  public static ChorusException of(Throwable t) {
    return t instanceof ChorusException c
        ? c
        : new ChorusException(ErrorCode.INTERNAL, "internal error: " + t);
  }
}
