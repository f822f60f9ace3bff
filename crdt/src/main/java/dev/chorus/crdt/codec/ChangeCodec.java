package dev.chorus.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes to and from JSON, format v1 (see docs/semantics.md, "Change format"). Output is
 * deterministic: the same change always encodes to the same bytes. Decoding is strict: a missing or
 * mistyped field, an unknown op or a malformed id fails with a {@link CodecException} naming it.
 *
 * <pre>{@code
 * {"replica":"n1","prev":0,"start":1,"basedOn":"","deps":"",
 *  "author":{"id":"alice","kind":"human"},"ts":1700000000000,
 *  "ops":[{"op":"mapSet","obj":"root","key":"title","value":"Plan","pred":[]}]}
 * }</pre>
 */
public final class ChangeCodec {
  private ChangeCodec() {}

  public static ObjectNode toJson(Change c) {
    // the tree is read back from the one encoder, so tree and text can never differ
    return (ObjectNode) Json.parse(toJsonString(c));
  }

  /**
   * The change as JSON text, written straight from its fields ({@link ChangeJsonWriter}): every
   * local write is encoded once for the store, the op log and its change frames.
   */
  public static String toJsonString(Change c) {
    return ChangeJsonWriter.write(c);
  }

  /** Parses a change; throws {@link CodecException} on anything but a well-formed v1 change. */
  public static Change fromJson(String json) {
    return fromJson(Json.parse(json));
  }

  public static Change fromJson(JsonNode n) {
    String w = "change";
    Json.object(n, w);
    List<Op> ops = new ArrayList<>();
    ArrayNode arr = Json.array(n, "ops", w);
    for (int i = 0; i < arr.size(); i++) {
      ops.add(op(arr.get(i), w + ".ops[" + i + "]"));
    }
    try {
      return new Change(
          Json.text(n, "replica", w),
          Json.number(n, "prev", w),
          Json.number(n, "start", w),
          Json.version(n, "basedOn", w),
          Json.version(n, "deps", w),
          Json.author(n, "author", w),
          Json.number(n, "ts", w),
          ops);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new CodecException(w + ": " + e.getMessage(), e);
    }
  }

  /** A JSON array of changes. */
  public static List<Change> listFromJson(JsonNode n) {
    if (!n.isArray()) {
      throw new CodecException("changes: expected an array");
    }
    List<Change> out = new ArrayList<>();
    n.forEach(c -> out.add(fromJson(c)));
    return out;
  }

  public static ArrayNode listToJson(List<Change> changes) {
    ArrayNode a = Json.NODES.arrayNode();
    changes.forEach(c -> a.add(toJson(c)));
    return a;
  }

  private static Op op(JsonNode n, String w) {
    Json.object(n, w);
    String kind = Json.text(n, "op", w);
    var obj = Json.id(n, "obj", w);
    try {
      return switch (kind) {
        case "mapSet" ->
            new Op.MapSet(obj, Json.text(n, "key", w), Json.content(n, w), Json.ids(n, "pred", w));
        case "mapDelete" -> new Op.MapDelete(obj, Json.text(n, "key", w), Json.ids(n, "pred", w));
        case "listInsert" ->
            new Op.ListInsert(
                obj,
                Json.optionalId(n, "left", w),
                Json.optionalId(n, "right", w),
                Json.content(n, w));
        case "listSet" ->
            new Op.ListSet(obj, Json.id(n, "elem", w), Json.content(n, w), Json.ids(n, "pred", w));
        case "listDelete" -> new Op.ListDelete(obj, Json.id(n, "elem", w), Json.ids(n, "pred", w));
        case "listMove" ->
            new Op.ListMove(
                obj,
                Json.id(n, "elem", w),
                Json.optionalId(n, "left", w),
                Json.optionalId(n, "right", w),
                Json.ids(n, "pred", w));
        case "textInsert" ->
            new Op.TextInsert(
                obj,
                Json.optionalId(n, "left", w),
                Json.optionalId(n, "right", w),
                Json.text(n, "text", w));
        case "textDelete" -> new Op.TextDelete(obj, ranges(n, w));
        case "counterAdd" -> new Op.CounterAdd(obj, Json.number(n, "delta", w));
        case "keep" -> new Op.Keep(obj, Json.text(n, "key", w), Json.ids(n, "pred", w));
        default -> throw new CodecException(w + ": unknown op \"" + kind + "\"");
      };
    } catch (IllegalArgumentException e) {
      throw new CodecException(w + ": " + e.getMessage(), e);
    }
  }

  private static List<IdRange> ranges(JsonNode n, String w) {
    List<IdRange> out = new ArrayList<>();
    for (JsonNode r : Json.array(n, "ranges", w)) {
      if (!r.isArray() || r.size() != 2 || !r.get(0).isTextual() || !r.get(1).canConvertToInt()) {
        throw new CodecException(w + ": a range is [\"counter@replica\", length]");
      }
      out.add(new IdRange(Json.id(r.get(0).textValue(), w + ".ranges"), r.get(1).intValue()));
    }
    return out;
  }
}
