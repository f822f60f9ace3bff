package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Value;
import dev.chorus.server.protocol.Values;

/**
 * The wire view of a document ({@code docs/protocol.md}, "The document on the wire"): plain JSON
 * whose lists are arrays of {@code {"id", "value"}} elements. Stateless.
 */
public final class DocView {
  private DocView() {}

  static JsonNode withIds(Doc doc) {
    return of(doc.read());
  }

  public static JsonNode of(Value v) {
    if (v instanceof Value.MapValue m) {
      ObjectNode o = Values.NODES.objectNode();
      m.entries().forEach((k, x) -> o.set(k, of(x)));
      return o;
    }
    if (v instanceof Value.ListValue l) {
      ArrayNode a = Values.NODES.arrayNode();
      for (Value.Element e : l.elements()) {
        ObjectNode el = a.addObject();
        el.put("id", e.id());
        el.set("value", of(e.value()));
      }
      return a;
    }
    if (v instanceof Value.TextValue t) {
      return Values.NODES.textNode(t.text());
    }
    if (v instanceof Value.CounterValue c) {
      return Values.NODES.numberNode(c.value());
    }
    if (v instanceof Value.Scalar s) {
      return Values.toJson(s.value());
    }
    return Values.NODES.nullNode();
  }
}
