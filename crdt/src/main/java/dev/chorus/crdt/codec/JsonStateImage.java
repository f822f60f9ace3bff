package dev.chorus.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.type.Retirement;
import dev.chorus.crdt.type.StateImage.AggImage;
import dev.chorus.crdt.type.StateImage.EntryImage;
import dev.chorus.crdt.type.StateImage.ItemImage;
import dev.chorus.crdt.type.StateImage.ObjImage;
import dev.chorus.crdt.type.StateImage.PositionImage;
import dev.chorus.crdt.type.StateImage.RunImage;
import dev.chorus.crdt.type.Touch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state image of a v1 snapshot ({@link SnapshotCodec#toJson}) in JSON, both ways: objects,
 * entries, list items, retirements and aggregates. Apart from {@link SnapshotCodec}, which puts the
 * version, horizon, history and pending changes around it, as the binary state is apart in {@link
 * BinaryStateWriter} and {@link BinaryStateReader}. Malformed input throws {@link CodecException}.
 */
final class JsonStateImage {
  private JsonStateImage() {}

  // ---- objects -----------------------------------------------------------------------------

  static ObjectNode obj(ObjImage oi) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", oi.id().toString());
    o.put("type", oi.type().wireName());
    o.set("agg", agg(oi.agg()));
    switch (oi.type()) {
      case MAP -> {
        ObjectNode entries = o.putObject("entries");
        oi.registers()
            .forEach(
                (k, es) -> {
                  ArrayNode a = entries.putArray(k);
                  es.forEach(e -> a.add(entry(e)));
                });
      }
      case LIST, TEXT -> o.set("seq", SequenceCodec.encode(oi.runs(), oi.type() == Container.TEXT));
      case COUNTER -> o.put("value", oi.counter());
    }
    return o;
  }

  static ObjImage obj(JsonNode n, String w) {
    Json.object(n, w);
    Container type;
    try {
      type = Container.fromWire(Json.text(n, "type", w));
    } catch (IllegalArgumentException e) {
      throw new CodecException(w + ": " + e.getMessage());
    }
    OpId id = Json.id(n, "id", w);
    AggImage agg = agg(Json.field(n, "agg", w), w + ".agg");
    Map<String, List<EntryImage>> registers = new TreeMap<>();
    List<RunImage> runs = new ArrayList<>();
    long counter = 0;
    switch (type) {
      case MAP -> {
        JsonNode entries = Json.object(Json.field(n, "entries", w), w + ".entries");
        for (Iterator<Map.Entry<String, JsonNode>> it = entries.properties().iterator();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          if (!e.getValue().isArray()) {
            throw new CodecException(w + ".entries." + e.getKey() + ": expected an array");
          }
          List<EntryImage> es = new ArrayList<>();
          for (JsonNode en : e.getValue()) {
            es.add(entry(en, w + ".entries." + e.getKey()));
          }
          registers.put(e.getKey(), es);
        }
      }
      case LIST, TEXT ->
          runs.addAll(
              SequenceCodec.decode(Json.field(n, "seq", w), type == Container.TEXT, w + ".seq"));
      case COUNTER -> counter = Json.number(n, "value", w);
    }
    return new ObjImage(id, type, registers, runs, counter, agg);
  }

  // ---- entries, items ------------------------------------------------------------------------

  private static ObjectNode entry(EntryImage e) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", e.id().toString());
    o.set("author", Json.author(e.author()));
    o.put("ts", e.timestamp());
    Json.content(o, e.content());
    if (!e.retiredBy().isEmpty()) {
      o.set("retired", retirements(e.retiredBy()));
    }
    if (e.child() != null) {
      o.set("child", obj(e.child()));
    }
    return o;
  }

  private static EntryImage entry(JsonNode n, String w) {
    Json.object(n, w);
    JsonNode child = n.get("child");
    return new EntryImage(
        Json.id(n, "id", w),
        Json.author(n, "author", w),
        Json.number(n, "ts", w),
        Json.content(n, w),
        retirements(n.get("retired"), w),
        child == null ? null : obj(child, w + ".child"));
  }

  static ObjectNode item(ItemImage i) {
    ObjectNode o = Json.NODES.objectNode();
    o.put("id", i.id().toString());
    ArrayNode value = o.putArray("value");
    i.value().forEach(e -> value.add(entry(e)));
    ArrayNode positions = o.putArray("positions");
    for (PositionImage p : i.positions()) {
      ObjectNode po = positions.addObject();
      po.put("id", p.id().toString()).put("list", p.list().toString());
      po.set("author", Json.author(p.author()));
      po.put("ts", p.timestamp());
      if (!p.retiredBy().isEmpty()) {
        po.set("retired", retirements(p.retiredBy()));
      }
    }
    if (!i.keptDeletes().isEmpty()) {
      o.set("keptDeletes", retirements(i.keptDeletes()));
    }
    o.set("agg", agg(i.agg()));
    return o;
  }

  static List<ItemImage> items(JsonNode n, String w) {
    List<ItemImage> out = new ArrayList<>();
    for (JsonNode i : Json.array(n, "items", w)) {
      String iw = w + ".items";
      Json.object(i, iw);
      List<EntryImage> value = new ArrayList<>();
      for (JsonNode e : Json.array(i, "value", iw)) {
        value.add(entry(e, iw + ".value"));
      }
      List<PositionImage> positions = new ArrayList<>();
      for (JsonNode p : Json.array(i, "positions", iw)) {
        positions.add(
            new PositionImage(
                Json.id(p, "id", iw),
                Json.id(p, "list", iw),
                Json.author(p, "author", iw),
                Json.number(p, "ts", iw),
                retirements(p.get("retired"), iw)));
      }
      out.add(
          new ItemImage(
              Json.id(i, "id", iw),
              value,
              positions,
              retirements(i.get("keptDeletes"), iw),
              agg(Json.field(i, "agg", iw), iw)));
    }
    return out;
  }

  private static ArrayNode retirements(List<Retirement> rs) {
    ArrayNode a = Json.NODES.arrayNode();
    for (Retirement r : rs) {
      ArrayNode x = a.addArray();
      x.add(r.by().toString())
          .add(r.changeStart())
          .add(r.kind().name().toLowerCase(java.util.Locale.ROOT));
      x.add(r.deps().toString()).add(r.author().actorId()).add(r.author().kind().wireName());
      x.add(r.timestamp());
    }
    return a;
  }

  private static List<Retirement> retirements(JsonNode n, String w) {
    if (n == null) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new CodecException(w + ".retired: expected an array");
    }
    List<Retirement> out = new ArrayList<>();
    for (JsonNode x : n) {
      if (!x.isArray() || x.size() != 7) {
        throw new CodecException(
            w + ".retired: [by, changeStart, kind, basedOn, actor, actorKind, ts]");
      }
      try {
        out.add(
            new Retirement(
                OpId.parse(x.get(0).asText()),
                x.get(1).asLong(),
                Retirement.Kind.valueOf(x.get(2).asText().toUpperCase(java.util.Locale.ROOT)),
                VersionVector.parse(x.get(3).asText()),
                new Author(x.get(4).asText(), ActorKind.fromWire(x.get(5).asText())),
                x.get(6).asLong()));
      } catch (IllegalArgumentException e) {
        throw new CodecException(w + ".retired: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static ObjectNode agg(AggImage a) {
    ObjectNode o = Json.NODES.objectNode();
    ObjectNode touch = o.putObject("touch");
    a.touch().forEach((r, v) -> touch.putArray(r).add(v[0]).add(v[1]).add(v[2]));
    o.put("ack", a.ack().toString());
    ArrayNode actors = o.putArray("actors");
    for (Touch t : a.actors()) {
      actors
          .addArray()
          .add(t.author().actorId())
          .add(t.author().kind().wireName())
          .add(t.op().toString())
          .add(t.timestamp());
    }
    return o;
  }

  private static AggImage agg(JsonNode n, String w) {
    Json.object(n, w);
    Map<String, long[]> touch = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it =
            Json.object(Json.field(n, "touch", w), w).properties().iterator();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      if (!v.isArray() || v.size() != 3) {
        throw new CodecException(w + ".touch: [last, lastStart, prevMax] per replica");
      }
      touch.put(e.getKey(), new long[] {v.get(0).asLong(), v.get(1).asLong(), v.get(2).asLong()});
    }
    List<Touch> actors = new ArrayList<>();
    for (JsonNode x : Json.array(n, "actors", w)) {
      if (!x.isArray() || x.size() != 4) {
        throw new CodecException(w + ".actors: [actor, kind, op, ts]");
      }
      try {
        actors.add(
            new Touch(
                OpId.parse(x.get(2).asText()),
                new Author(x.get(0).asText(), ActorKind.fromWire(x.get(1).asText())),
                x.get(3).asLong()));
      } catch (IllegalArgumentException e) {
        throw new CodecException(w + ".actors: " + e.getMessage(), e);
      }
    }
    return new AggImage(touch, Json.version(n, "ack", w), actors);
  }
}
