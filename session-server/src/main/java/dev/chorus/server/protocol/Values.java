package dev.chorus.server.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  /**
   * Appends {@code s} as a JSON string, escaped as Jackson's generator escapes it: for frames put
   * together in a {@code StringBuilder} around parts that are already JSON.
   */
  public static StringBuilder quoted(StringBuilder b, String s) {
    b.append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, b);
    return b.append('"');
  }

  /** {@link #quoted}, or {@code null} for null. */
  public static StringBuilder quotedOrNull(StringBuilder b, String s) {
    return s == null ? b.append("null") : quoted(b, s);
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
   * Appends a plain Java tree (markers included) as JSON text, as Jackson's generator writes it:
   * strings escaped by its encoder, integers as {@code Long.toString}, other numbers as doubles
   * ({@code Double.toString}; a non-finite one quoted), a Jackson tree as it prints itself. A value
   * per write is printed: a generator per value cost more than the printing ({@code ValuesTest}).
   */
  public static StringBuilder write(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      quoted(b, s);
    } else if (v instanceof Boolean bool) {
      b.append(bool.booleanValue());
    } else if (v instanceof Long || v instanceof Integer) {
      b.append(((Number) v).longValue());
    } else if (v instanceof Number num) {
      double d = num.doubleValue();
      if (Double.isFinite(d)) {
        b.append(d);
      } else {
        quoted(b, Double.toString(d));
      }
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        quoted(b, String.valueOf(e.getKey())).append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        write(b, l.get(i));
      }
      b.append(']');
    } else if (v instanceof TextInit t) {
      quoted(b.append("{\"$text\":"), t.text()).append('}');
    } else if (v instanceof CounterInit c) {
      b.append("{\"$counter\":").append(c.value()).append('}');
    } else if (v instanceof JsonNode j) {
      b.append(j);
    } else {
      quoted(b, v.toString());
    }
    return b;
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
