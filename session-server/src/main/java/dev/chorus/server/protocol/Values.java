package dev.chorus.server.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversion between JSON (Jackson trees) and the plain Java trees the CRDT takes and gives: {@code
 * Map<String,Object>} (insertion ordered), {@code List<Object>}, {@code String}, {@code Long},
 * {@code Double}, {@code Boolean}, {@code null}; plus the two protocol markers {@link TextInit}
 * ({@code {"$text": "..."}}) and {@link CounterInit} ({@code {"$counter": n}}).
 */
public final class Values {
  public static final ObjectMapper MAPPER = new ObjectMapper();
  public static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Writes one JSON value to a generator. */
  @FunctionalInterface
  public interface JsonWriter {
    void write(JsonGenerator g) throws IOException;
  }

  /**
   * The JSON text {@code body} streams: for messages assembled from parts that are already JSON
   * (copied in raw), where building a tree would parse and print them again.
   */
  public static String jsonString(JsonWriter body) {
    // Jackson's pooled buffers, as ObjectMapper.writeValueAsString uses them: a StringWriter grew a
    // StringBuffer and copied it once more, and that was most of what a write path's JSON
    // allocated.
    BufferRecycler buffers = MAPPER.getFactory()._getBufferRecycler();
    try (SegmentedStringWriter w = new SegmentedStringWriter(buffers)) {
      try (JsonGenerator g = MAPPER.getFactory().createGenerator(w)) {
        body.write(g);
      }
      return w.getAndClear();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      buffers.releaseToPool();
    }
  }

  /**
   * Appends {@code s} as a JSON string, escaped as Jackson's generator escapes it: for frames put
   * together in a {@code StringBuilder} around parts that are already JSON.
   */
  public static StringBuilder quoted(StringBuilder b, String s) {
    return b.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
  }

  /** {@code {"$text": "..."}}: create a collaborative text with this content. */
  public record TextInit(String text) {}

  /** {@code {"$counter": n}}: create a PN-counter starting at n. */
  public record CounterInit(long value) {}

  private Values() {}

  /** JSON → Java; markers become {@link TextInit}/{@link CounterInit}. */
  public static Object fromJson(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isTextual()) {
      return n.textValue();
    }
    if (n.isBoolean()) {
      return n.booleanValue();
    }
    if (n.isIntegralNumber()) {
      if (!n.canConvertToLong()) {
        throw new ChorusException(ErrorCode.INVALID_OP, "integer out of 64-bit range: " + n);
      }
      return n.longValue();
    }
    if (n.isNumber()) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new ChorusException(ErrorCode.INVALID_OP, "number out of range: " + n);
      }
      return d;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        l.add(fromJson(e));
      }
      return l;
    }
    if (n.isObject()) {
      if (n.size() == 1 && n.has("$text")) {
        JsonNode t = n.get("$text");
        if (!t.isTextual()) {
          throw new ChorusException(ErrorCode.BAD_FRAME, "\"$text\" must be a string");
        }
        return new TextInit(t.textValue());
      }
      if (n.size() == 1 && n.has("$counter")) {
        JsonNode t = n.get("$counter");
        if (!t.isIntegralNumber() || !t.canConvertToLong()) {
          throw new ChorusException(ErrorCode.BAD_FRAME, "\"$counter\" must be an integer");
        }
        return new CounterInit(t.longValue());
      }
      Map<String, Object> m = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), fromJson(e.getValue()));
      }
      return m;
    }
    throw new ChorusException(ErrorCode.BAD_FRAME, "unsupported JSON value: " + n.getNodeType());
  }

  /** Java → JSON (for reads and echoes). Unknown objects are written with toString(). */
  public static JsonNode toJson(Object v) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof JsonNode j) {
      return j;
    }
    if (v instanceof String s) {
      return NODES.textNode(s);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (v instanceof Integer i) {
      return NODES.numberNode(i.longValue());
    }
    if (v instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Number num) {
      return NODES.numberNode(num.doubleValue());
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = NODES.objectNode();
      m.forEach((k, val) -> o.set(String.valueOf(k), toJson(val)));
      return o;
    }
    if (v instanceof List<?> l) {
      ArrayNode a = NODES.arrayNode();
      for (Object e : l) {
        a.add(toJson(e));
      }
      return a;
    }
    if (v instanceof TextInit t) {
      return NODES.objectNode().put("$text", t.text());
    }
    if (v instanceof CounterInit c) {
      return NODES.objectNode().put("$counter", c.value());
    }
    return NODES.textNode(v.toString());
  }

  /**
   * Writes a Java value as {@link #toJson} would make it, straight to a generator (no tree): for
   * values echoed on every write.
   */
  public static void write(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long || v instanceof Integer) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number num) {
      g.writeNumber(num.doubleValue());
    } else if (v instanceof Map<?, ?> m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (Object e : l) {
        write(g, e);
      }
      g.writeEndArray();
    } else if (v instanceof TextInit t) {
      g.writeStartObject();
      g.writeStringField("$text", t.text());
      g.writeEndObject();
    } else if (v instanceof CounterInit c) {
      g.writeStartObject();
      g.writeNumberField("$counter", c.value());
      g.writeEndObject();
    } else if (v instanceof JsonNode j) {
      g.writeTree(j);
    } else {
      g.writeString(v.toString());
    }
  }

  /** True if the tree holds a marker anywhere (then it must be written piecewise). */
  public static boolean hasMarkers(Object v) {
    if (v instanceof TextInit || v instanceof CounterInit) {
      return true;
    }
    if (v instanceof Map<?, ?> m) {
      for (Object e : m.values()) {
        if (hasMarkers(e)) {
          return true;
        }
      }
    }
    if (v instanceof List<?> l) {
      for (Object e : l) {
        if (hasMarkers(e)) {
          return true;
        }
      }
    }
    return false;
  }
}
