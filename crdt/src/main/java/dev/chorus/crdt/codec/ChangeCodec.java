package dev.chorus.crdt.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
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
    try (TokenBuffer tb = new TokenBuffer(Json.MAPPER, false)) {
      write(tb, c);
      return (ObjectNode) Json.MAPPER.readTree(tb.asParser());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The change as JSON text, written straight from its fields: every local write is encoded once
   * for the store, the op log and its change frames, and a tree in between cost as much as the edit
   * itself.
   */
  public static String toJsonString(Change c) {
    StringWriter out = new StringWriter(160 + 96 * c.ops().size());
    try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
      write(g, c);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Change c) throws IOException {
    g.writeStartObject();
    g.writeStringField("replica", c.replica());
    g.writeNumberField("prev", c.prevCounter());
    g.writeNumberField("start", c.startCounter());
    g.writeStringField("basedOn", c.basedOn().toString());
    g.writeStringField("deps", c.deps().toString());
    g.writeObjectFieldStart("author");
    g.writeStringField("id", c.author().actorId());
    g.writeStringField("kind", c.author().kind().wireName());
    g.writeEndObject();
    g.writeNumberField("ts", c.timestamp());
    g.writeArrayFieldStart("ops");
    for (Op op : c.ops()) {
      op(g, op);
    }
    g.writeEndArray();
    g.writeEndObject();
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

  private static void op(JsonGenerator g, Op op) throws IOException {
    g.writeStartObject();
    if (op instanceof Op.MapSet s) {
      head(g, "mapSet", s.target().toString());
      g.writeStringField("key", s.key());
      content(g, s.value());
      ids(g, "pred", s.pred());
    } else if (op instanceof Op.MapDelete d) {
      head(g, "mapDelete", d.target().toString());
      g.writeStringField("key", d.key());
      ids(g, "pred", d.pred());
    } else if (op instanceof Op.ListInsert ins) {
      head(g, "listInsert", ins.target().toString());
      origins(g, ins.originLeft(), ins.originRight());
      content(g, ins.value());
    } else if (op instanceof Op.ListSet s) {
      head(g, "listSet", s.target().toString());
      g.writeStringField("elem", s.element().toString());
      content(g, s.value());
      ids(g, "pred", s.pred());
    } else if (op instanceof Op.ListDelete d) {
      head(g, "listDelete", d.target().toString());
      g.writeStringField("elem", d.element().toString());
      ids(g, "pred", d.pred());
    } else if (op instanceof Op.ListMove m) {
      head(g, "listMove", m.target().toString());
      g.writeStringField("elem", m.element().toString());
      origins(g, m.originLeft(), m.originRight());
      ids(g, "pred", m.pred());
    } else if (op instanceof Op.TextInsert t) {
      head(g, "textInsert", t.target().toString());
      origins(g, t.originLeft(), t.originRight());
      g.writeStringField("text", t.text());
    } else if (op instanceof Op.TextDelete t) {
      head(g, "textDelete", t.target().toString());
      g.writeArrayFieldStart("ranges");
      for (IdRange r : t.ranges()) {
        g.writeStartArray();
        g.writeString(r.start().toString());
        g.writeNumber(r.length());
        g.writeEndArray();
      }
      g.writeEndArray();
    } else if (op instanceof Op.CounterAdd a) {
      head(g, "counterAdd", a.target().toString());
      g.writeNumberField("delta", a.delta());
    } else if (op instanceof Op.Keep k) {
      head(g, "keep", k.target().toString());
      g.writeStringField("key", k.key());
      ids(g, "pred", k.pred());
    }
    g.writeEndObject();
  }

  private static void head(JsonGenerator g, String name, String target) throws IOException {
    g.writeStringField("op", name);
    g.writeStringField("obj", target);
  }

  private static void origins(JsonGenerator g, OpId left, OpId right) throws IOException {
    g.writeFieldName("left");
    idOrNull(g, left);
    g.writeFieldName("right");
    idOrNull(g, right);
  }

  private static void idOrNull(JsonGenerator g, OpId id) throws IOException {
    if (id == null) {
      g.writeNull();
    } else {
      g.writeString(id.toString());
    }
  }

  private static void ids(JsonGenerator g, String field, List<OpId> ids) throws IOException {
    g.writeArrayFieldStart(field);
    for (OpId id : ids) {
      g.writeString(id.toString());
    }
    g.writeEndArray();
  }

  /** A register value: {@code "value": scalar} or {@code "make": "map"}. */
  private static void content(JsonGenerator g, Content c) throws IOException {
    if (c instanceof Content.New n) {
      g.writeStringField("make", n.type().wireName());
      return;
    }
    g.writeFieldName("value");
    Object v = ((Content.Scalar) c).value();
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String str) {
      g.writeString(str);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else {
      g.writeObject(v); // other numbers: as Jackson writes them
    }
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
