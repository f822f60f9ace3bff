package dev.chorus.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.type.StateImage.RunImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A sequence's {@link SequenceLayout} as snapshot v1 JSON: {@code replicas}, {@code runs} (the
 * rows, flat), {@code origins} (op id strings), {@code hidden}, and for texts {@code textless} and
 * {@code text}.
 */
final class SequenceCodec {
  private SequenceCodec() {}

  static ObjectNode encode(List<RunImage> runs, boolean text) {
    SequenceLayout layout = SequenceLayout.of(runs, text);
    ObjectNode o = Json.NODES.objectNode();
    ArrayNode reps = o.putArray("replicas");
    layout.replicas().forEach(reps::add);
    o.set("runs", ints(layout.rows()));
    ArrayNode origins = o.putArray("origins");
    layout.origins().forEach(id -> origins.add(id.toString()));
    o.set("hidden", ints(layout.hidden()));
    if (text) {
      o.set("textless", ints(layout.textless()));
      o.put("text", layout.text());
    }
    return o;
  }

  private static ArrayNode ints(long[] flat) {
    ArrayNode a = Json.NODES.arrayNode();
    for (long v : flat) {
      a.add(v);
    }
    return a;
  }

  static List<RunImage> decode(JsonNode n, boolean text, String w) {
    Json.object(n, w);
    List<String> replicas = new ArrayList<>();
    for (JsonNode r : Json.array(n, "replicas", w)) {
      replicas.add(r.asText());
    }
    List<OpId> origins = new ArrayList<>();
    for (JsonNode r : Json.array(n, "origins", w)) {
      origins.add(Json.id(r.asText(), w + ".origins"));
    }
    long[] rows = ints(Json.array(n, "runs", w), w + ".runs");
    long[] hidden = ints(field(n, "hidden", w), w + ".hidden");
    long[] textless = text ? ints(field(n, "textless", w), w + ".textless") : new long[0];
    String chars = text ? Json.text(n, "text", w) : "";
    return new SequenceLayout(replicas, rows, origins, hidden, textless, chars).runs(text, w);
  }

  private static ArrayNode field(JsonNode n, String name, String w) {
    JsonNode v = n.get(name);
    if (v == null) {
      throw new CodecException(w + "." + name + ": missing");
    }
    if (!v.isArray()) {
      throw new CodecException(w + "." + name + ": expected an array");
    }
    return (ArrayNode) v;
  }

  private static long[] ints(ArrayNode a, String w) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = a.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new CodecException(w + ": expected integers");
      }
      out[i] = v.longValue();
    }
    return out;
  }
}
