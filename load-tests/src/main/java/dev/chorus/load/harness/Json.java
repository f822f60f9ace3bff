package dev.chorus.load.harness.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The harness's one Jackson mapper and shorthands for building frames and ops. */
public final class Json {
  public static final ObjectMapper M = new ObjectMapper();
  public static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Json() {}

  public static JsonNode parse(String text) {
    try {
      return M.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode obj() {
    return F.objectNode();
  }

  public static ArrayNode arr() {
    return F.arrayNode();
  }

  /** {@code {"op":"set","path":…,"value":…}} */
  public static ObjectNode set(String path, JsonNode value) {
    ObjectNode o = obj().put("op", "set").put("path", path);
    o.set("value", value);
    return o;
  }

  /** {@code {"op":"insert","path":…,"after":…,"value":…}} */
  public static ObjectNode insert(String path, String after, JsonNode value) {
    ObjectNode o = obj().put("op", "insert").put("path", path).put("after", after);
    o.set("value", value);
    return o;
  }

  /** {@code {"op":"move","path":…,"to":…,"after":…}} */
  public static ObjectNode move(String path, String to, String after) {
    return obj().put("op", "move").put("path", path).put("to", to).put("after", after);
  }

  public static ObjectNode delete(String path) {
    return obj().put("op", "delete").put("path", path);
  }

  public static ObjectNode increment(String path, long by) {
    return obj().put("op", "increment").put("path", path).put("by", by);
  }

  public static ObjectNode splice(String path, int index, int delete, String insert) {
    return obj()
        .put("op", "splice")
        .put("path", path)
        .put("index", index)
        .put("delete", delete)
        .put("insert", insert);
  }
}
