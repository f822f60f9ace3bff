package dev.chorus.server.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Parsing of client frames and REST bodies into typed records, with the precise error the protocol
 * promises: {@code bad_frame} for malformed JSON or a wrongly typed field, {@code unknown_type} for
 * an unknown frame type or op, {@code too_large} for a batch over the op limit.
 *
 * <p>Stateless and thread-safe.
 */
public final class Frames {
  /** Longest id (client, batch, conflict) accepted. */
  public static final int MAX_ID = 128;

  /** Rejects trailing content after the frame's object ({@code {...}{...}} is not one frame). */
  private static final com.fasterxml.jackson.databind.ObjectReader STRICT =
      Values.MAPPER
          .reader()
          .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Frames() {}

  /** {@code hello}. */
  public record Hello(String clientId, String since, boolean snapshots) {}

  /**
   * A batch of ops, from a {@code batch} frame, a {@code resolve} frame or {@code POST .../ops}.
   *
   * @param basedOn the writer's version; null = the current version (REST blind writes, resolve)
   * @param strict {@code precondition: "unchanged"}
   * @param conflictId for {@code resolve}: the conflict that must still be open (may be null)
   * @param contentHash hash of (basedOn, precondition, ops): same batch id + other hash = reuse
   */
  public record Batch(
      String batchId,
      String basedOn,
      boolean strict,
      List<ClientOp> ops,
      String conflictId,
      String contentHash) {}

  /** {@code presence}. */
  public record Presence(ObjectNode state) {}

  /** {@code ping}. */
  public record Ping(JsonNode nonce) {}

  /** Parses text into a JSON object or throws {@code bad_frame}. */
  public static ObjectNode parseObject(String text) {
    JsonNode n;
    try {
      n = STRICT.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ChorusException(ErrorCode.BAD_FRAME, "not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, "a frame must be a JSON object");
    }
    String lone = LoneSurrogates.find(n);
    if (lone != null) {
      throw new ChorusException(
          ErrorCode.BAD_FRAME, "lone surrogate (an unpaired \\uD800-\\uDFFF) in " + lone);
    }
    return (ObjectNode) n;
  }

  /** The frame's {@code type}, or {@code bad_frame}. */
  public static String type(ObjectNode f) {
    return requiredString(f, "type", 64);
  }

  public static Hello hello(ObjectNode f) {
    String clientId = requiredString(f, "clientId", MAX_ID);
    String since = optionalVersion(f, "since");
    boolean snapshots = optionalBoolean(f, "snapshots", false);
    return new Hello(clientId, since, snapshots);
  }

  public static Presence presence(ObjectNode f, int maxBytes) {
    JsonNode s = f.get("state");
    if (s == null || !s.isObject()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, "presence.state must be an object");
    }
    if (s.toString().length() > maxBytes) {
      throw new ChorusException(
          ErrorCode.TOO_LARGE, "presence.state is over " + maxBytes + " bytes");
    }
    return new Presence((ObjectNode) s);
  }

  public static Ping ping(ObjectNode f) {
    return new Ping(f.get("nonce"));
  }

  /**
   * A {@code batch} frame or REST body. {@code batchIdOverride} (the {@code Idempotency-Key}
   * header) wins over the body's; {@code basedOnRequired} is true on the websocket.
   */
  public static Batch batch(
      ObjectNode f, String batchIdOverride, boolean basedOnRequired, int maxOps) {
    String batchId =
        batchIdOverride != null
            ? checkId(batchIdOverride, "batchId")
            : requiredString(f, "batchId", MAX_ID);
    try {
      String basedOn =
          basedOnRequired ? requiredVersion(f, "basedOn") : optionalVersion(f, "basedOn");
      boolean strict = false;
      JsonNode pre = f.get("precondition");
      if (pre != null && !pre.isNull()) {
        if (!pre.isTextual() || !pre.textValue().equals("unchanged")) {
          throw new ChorusException(
              ErrorCode.BAD_FRAME, "precondition must be \"unchanged\" or absent");
        }
        strict = true;
      }
      JsonNode opsNode = f.get("ops");
      if (opsNode == null || !opsNode.isArray()) {
        throw new ChorusException(ErrorCode.BAD_FRAME, "ops must be an array");
      }
      if (opsNode.isEmpty()) {
        throw new ChorusException(ErrorCode.BAD_FRAME, "ops must not be empty");
      }
      if (opsNode.size() > maxOps) {
        throw new ChorusException(
            ErrorCode.TOO_LARGE, "a batch holds at most " + maxOps + " ops, got " + opsNode.size());
      }
      List<ClientOp> ops = new ArrayList<>(opsNode.size());
      int i = 0;
      for (JsonNode o : opsNode) {
        ops.add(op(o, i++));
      }
      ObjectNode canon = Values.NODES.objectNode();
      canon.put("basedOn", basedOn);
      canon.put("strict", strict);
      canon.set("ops", opsNode);
      return new Batch(batchId, basedOn, strict, List.copyOf(ops), null, ContentHash.of(canon));
    } catch (ChorusException e) {
      throw e.withBatchId(batchId);
    }
  }

  /** A {@code resolve} frame or REST body: one op, based on the current version. */
  public static Batch resolve(ObjectNode f, String batchIdOverride) {
    String batchId =
        batchIdOverride != null
            ? checkId(batchIdOverride, "batchId")
            : requiredString(f, "batchId", MAX_ID);
    try {
      String path = requiredString(f, "path", 4096);
      String conflictId = optionalString(f, "conflictId", 4096);
      int forms = 0;
      ClientOp op = null;
      if (f.has("value")) {
        forms++;
        op = new ClientOp.Set(path, Values.fromJson(f.get("value")));
      }
      if (optionalBoolean(f, "delete", false)) {
        forms++;
        op = new ClientOp.Delete(path);
      }
      if (optionalBoolean(f, "keep", false)) {
        forms++;
        op = new ClientOp.Keep(path);
      }
      if (forms != 1) {
        throw new ChorusException(
            ErrorCode.BAD_FRAME, "resolve needs exactly one of value, delete: true, keep: true");
      }
      ObjectNode canon = f.deepCopy();
      canon.remove("type");
      canon.remove("batchId");
      return new Batch(batchId, null, false, List.of(op), conflictId, ContentHash.of(canon));
    } catch (ChorusException e) {
      throw e.withBatchId(batchId);
    }
  }

  /** One op of {@code ops}; {@code i} is its index, for messages. */
  public static ClientOp op(JsonNode o, int i) {
    if (o == null || !o.isObject()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, "ops[" + i + "] must be an object");
    }
    ObjectNode n = (ObjectNode) o;
    String where = "ops[" + i + "].";
    JsonNode opName = n.get("op");
    if (opName == null || !opName.isTextual()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, where + "op must be a string");
    }
    String path = pathField(n, "path", where);
    switch (opName.textValue()) {
      case "set":
        if (!n.has("value")) {
          throw new ChorusException(ErrorCode.BAD_FRAME, where + "value is required");
        }
        return new ClientOp.Set(path, Values.fromJson(n.get("value")));
      case "delete":
        return new ClientOp.Delete(path);
      case "insert":
        if (!n.has("value")) {
          throw new ChorusException(ErrorCode.BAD_FRAME, where + "value is required");
        }
        return new ClientOp.Insert(path, after(n, where), Values.fromJson(n.get("value")));
      case "move":
        return new ClientOp.Move(path, pathField(n, "to", where), after(n, where));
      case "increment":
        {
          JsonNode by = n.get("by");
          if (by == null || !by.isIntegralNumber() || !by.canConvertToLong()) {
            throw new ChorusException(ErrorCode.BAD_FRAME, where + "by must be an integer");
          }
          return new ClientOp.Increment(path, by.longValue());
        }
      case "splice":
        {
          int index = nonNegativeInt(n, "index", where);
          int delete = nonNegativeInt(n, "delete", where);
          JsonNode ins = n.get("insert");
          if (ins == null || !ins.isTextual()) {
            throw new ChorusException(ErrorCode.BAD_FRAME, where + "insert must be a string");
          }
          return new ClientOp.Splice(path, index, delete, ins.textValue());
        }
      case "keep":
        return new ClientOp.Keep(path);
      case "claim":
        {
          long lease = 60_000;
          JsonNode l = n.get("leaseMs");
          if (l != null && !l.isNull()) {
            if (!l.isIntegralNumber() || l.longValue() < 1 || l.longValue() > 600_000) {
              throw new ChorusException(
                  ErrorCode.BAD_FRAME, where + "leaseMs must be an integer in 1..600000");
            }
            lease = l.longValue();
          }
          return new ClientOp.Claim(path, lease);
        }
      case "release":
        return new ClientOp.Release(path);
      default:
        throw new ChorusException(
            ErrorCode.UNKNOWN_TYPE, where + "op \"" + opName.textValue() + "\" is not known");
    }
  }

  private static String pathField(ObjectNode n, String field, String where) {
    JsonNode p = n.get(field);
    if (p == null || !p.isTextual()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, where + field + " must be a string path");
    }
    if (p.textValue().length() > 4096) {
      throw new ChorusException(ErrorCode.TOO_LARGE, where + field + " is over 4096 characters");
    }
    return p.textValue();
  }

  private static String after(ObjectNode n, String where) {
    if (!n.has("after")) {
      throw new ChorusException(
          ErrorCode.BAD_FRAME, where + "after is required (an element id, or null = head)");
    }
    JsonNode a = n.get("after");
    if (a.isNull()) {
      return null;
    }
    if (!a.isTextual()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, where + "after must be a string or null");
    }
    return a.textValue();
  }

  private static int nonNegativeInt(ObjectNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
      throw new ChorusException(
          ErrorCode.BAD_FRAME, where + field + " must be a non-negative integer");
    }
    return v.intValue();
  }

  public static String requiredString(ObjectNode f, String field, int max) {
    JsonNode v = f.get(field);
    if (v == null || v.isNull()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, field + " is required");
    }
    if (!v.isTextual()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, field + " must be a string");
    }
    if (v.textValue().isEmpty() || v.textValue().length() > max) {
      throw new ChorusException(
          ErrorCode.BAD_FRAME, field + " must have 1.." + max + " characters");
    }
    return v.textValue();
  }

  static String optionalString(ObjectNode f, String field, int max) {
    JsonNode v = f.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    return requiredString(f, field, max);
  }

  private static String checkId(String id, String what) {
    if (id.isEmpty() || id.length() > MAX_ID) {
      throw new ChorusException(
          ErrorCode.BAD_FRAME, what + " must have 1.." + MAX_ID + " characters");
    }
    return id;
  }

  static String requiredVersion(ObjectNode f, String field) {
    JsonNode v = f.get(field);
    if (v == null || v.isNull()) {
      throw new ChorusException(
          ErrorCode.BAD_FRAME, field + " is required (the version you last saw; \"\" = empty)");
    }
    if (!v.isTextual()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, field + " must be a version string");
    }
    return v.textValue();
  }

  static String optionalVersion(ObjectNode f, String field) {
    JsonNode v = f.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    return requiredVersion(f, field);
  }

  static boolean optionalBoolean(ObjectNode f, String field, boolean dflt) {
    JsonNode v = f.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isBoolean()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, field + " must be true or false");
    }
    return v.booleanValue();
  }
}
