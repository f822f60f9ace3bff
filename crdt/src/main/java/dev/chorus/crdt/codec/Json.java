package dev.chorus.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Content;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared Jackson plumbing of the codecs: one mapper, strict field readers that name the field they
 * choke on, and the encodings of the small value types (ids, versions, authors, scalars).
 */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Json() {}

  static JsonNode parse(String text) {
    try {
      JsonNode n = MAPPER.readTree(text);
      if (n == null || n.isMissingNode()) {
        throw new CodecException("malformed JSON: empty input");
      }
      return n;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CodecException("malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  static JsonNode field(JsonNode n, String name, String where) {
    JsonNode f = n.get(name);
    if (f == null || f.isMissingNode()) {
      throw new CodecException(where + ": missing field \"" + name + "\"");
    }
    return f;
  }

  static ObjectNode object(JsonNode n, String where) {
    if (!(n instanceof ObjectNode o)) {
      throw new CodecException(where + ": expected an object");
    }
    return o;
  }

  static String text(JsonNode n, String name, String where) {
    JsonNode f = field(n, name, where);
    if (!f.isTextual()) {
      throw new CodecException(where + ": \"" + name + "\" must be a string");
    }
    return f.textValue();
  }

  static long number(JsonNode n, String name, String where) {
    JsonNode f = field(n, name, where);
    if (!f.isIntegralNumber() || !f.canConvertToLong()) {
      throw new CodecException(where + ": \"" + name + "\" must be an integer");
    }
    return f.longValue();
  }

  static ArrayNode array(JsonNode n, String name, String where) {
    JsonNode f = field(n, name, where);
    if (!f.isArray()) {
      throw new CodecException(where + ": \"" + name + "\" must be an array");
    }
    return (ArrayNode) f;
  }

  static OpId id(JsonNode n, String name, String where) {
    return id(text(n, name, where), where + "." + name);
  }

  static OpId id(String s, String where) {
    try {
      return OpId.parse(s);
    } catch (IllegalArgumentException e) {
      throw new CodecException(where + ": " + e.getMessage());
    }
  }

  /** An op id field that may be null (a list or text origin at an end). */
  static OpId optionalId(JsonNode n, String name, String where) {
    JsonNode f = field(n, name, where);
    return f.isNull() ? null : id(n, name, where);
  }

  static JsonNode idOrNull(OpId id) {
    return id == null ? NODES.nullNode() : NODES.textNode(id.toString());
  }

  static ArrayNode ids(List<OpId> ids) {
    ArrayNode a = NODES.arrayNode();
    ids.forEach(i -> a.add(i.toString()));
    return a;
  }

  static List<OpId> ids(JsonNode n, String name, String where) {
    List<OpId> out = new ArrayList<>();
    for (JsonNode e : array(n, name, where)) {
      if (!e.isTextual()) {
        throw new CodecException(where + ": \"" + name + "\" must hold op id strings");
      }
      out.add(id(e.textValue(), where + "." + name));
    }
    return out;
  }

  static VersionVector version(JsonNode n, String name, String where) {
    try {
      return VersionVector.parse(text(n, name, where));
    } catch (IllegalArgumentException e) {
      throw new CodecException(where + "." + name + ": " + e.getMessage());
    }
  }

  static ObjectNode author(Author a) {
    ObjectNode o = NODES.objectNode();
    o.put("id", a.actorId());
    o.put("kind", a.kind().wireName());
    return o;
  }

  static Author author(JsonNode n, String name, String where) {
    JsonNode a = object(field(n, name, where), where + "." + name);
    try {
      return new Author(
          text(a, "id", where + ".author"), ActorKind.fromWire(text(a, "kind", where + ".author")));
    } catch (IllegalArgumentException e) {
      throw new CodecException(where + ".author: " + e.getMessage());
    }
  }

  /** Plain Java (maps, lists, scalars) to JSON. */
  static JsonNode plain(Object v) {
    return MAPPER.valueToTree(v);
  }

  /** A JSON scalar node to the Java scalar Content holds. */
  static Object scalar(JsonNode v, String where) {
    if (v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isNumber()) {
      double d = v.doubleValue();
      if (Double.isFinite(d)) {
        return d;
      }
    }
    throw new CodecException(where + ": not a JSON scalar: " + v);
  }

  /** Writes a register value: {@code "value": scalar} or {@code "make": "map"}. */
  static void content(ObjectNode o, Content c) {
    if (c instanceof Content.New n) {
      o.put("make", n.type().wireName());
    } else {
      o.set("value", plain(((Content.Scalar) c).value()));
    }
  }

  static Content content(JsonNode n, String where) {
    JsonNode make = n.get("make");
    if (make != null) {
      if (!make.isTextual()) {
        throw new CodecException(where + ": \"make\" must be a container type name");
      }
      try {
        return new Content.New(dev.chorus.crdt.Container.fromWire(make.textValue()));
      } catch (IllegalArgumentException e) {
        throw new CodecException(where + ": " + e.getMessage());
      }
    }
    return new Content.Scalar(scalar(field(n, "value", where), where + ".value"));
  }
}
