package dev.chorus.load.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The harness's one Jackson mapper and shorthands for JSON trees (the ops of a batch are built with
 * chorus-client's {@code Ops}).
 */
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
}
