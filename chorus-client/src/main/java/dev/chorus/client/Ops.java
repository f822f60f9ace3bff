package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The ops of a batch (docs/protocol.md, "Ops"), built without spelling their JSON: {@code
 * client.submit(Ops.batch(Ops.set("tasks/t1/status", text("done"))))}.
 */
public final class Ops {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Ops() {}

  /** A batch of {@code ops}, in order. */
  public static ArrayNode batch(ObjectNode... ops) {
    ArrayNode a = F.arrayNode(ops.length);
    for (ObjectNode op : ops) {
      a.add(op);
    }
    return a;
  }

  /** A JSON string value. */
  public static JsonNode text(String s) {
    return F.textNode(s);
  }

  /** {@code set}: the value at {@code path} (a map key, or a list element by id). */
  public static ObjectNode set(String path, JsonNode value) {
    ObjectNode o = F.objectNode().put("op", "set").put("path", path);
    o.set("value", value);
    return o;
  }

  /** {@code insert} into the list at {@code path} after element {@code after} (null: first). */
  public static ObjectNode insert(String path, String after, JsonNode value) {
    ObjectNode o = F.objectNode().put("op", "insert").put("path", path).put("after", after);
    o.set("value", value);
    return o;
  }

  /** {@code move} the element at {@code path} into list {@code to}, after {@code after}. */
  public static ObjectNode move(String path, String to, String after) {
    return F.objectNode().put("op", "move").put("path", path).put("to", to).put("after", after);
  }

  /** {@code delete} the map entry or list element at {@code path}. */
  public static ObjectNode delete(String path) {
    return F.objectNode().put("op", "delete").put("path", path);
  }

  /** {@code increment} the counter at {@code path} by {@code by} (negative: down). */
  public static ObjectNode increment(String path, long by) {
    return F.objectNode().put("op", "increment").put("path", path).put("by", by);
  }

  /**
   * {@code splice} the text at {@code path}: delete {@code delete} chars at {@code index}, insert.
   */
  public static ObjectNode splice(String path, int index, int delete, String insert) {
    return F.objectNode()
        .put("op", "splice")
        .put("path", path)
        .put("index", index)
        .put("delete", delete)
        .put("insert", insert);
  }
}
