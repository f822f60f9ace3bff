package dev.chorus.crdt;

import java.util.List;
import java.util.SortedMap;

/**
 * A read of the document as it shows now: the display winner of every register, lists with the ids
 * of their elements (which is how clients address them), text as a string, counters as numbers.
 * {@link #toPlain()} drops the element ids and gives plain JSON-like Java.
 */
public sealed interface Value {

  Object toPlain();

  /** A JSON scalar (null, String, Boolean, Long, Double). */
  record Scalar(Object value) implements Value {
    @Override
    public Object toPlain() {
      return value;
    }
  }

  /** A map; keys sorted. */
  record MapValue(SortedMap<String, Value> entries) implements Value {
    public MapValue {
      entries = java.util.Collections.unmodifiableSortedMap(entries);
    }

    @Override
    public Object toPlain() {
      java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
      entries.forEach((k, v) -> m.put(k, v.toPlain()));
      return m;
    }
  }

  /** A list of elements in order. */
  record ListValue(List<Element> elements) implements Value {
    public ListValue {
      elements = List.copyOf(elements);
    }

    @Override
    public Object toPlain() {
      java.util.ArrayList<Object> l = new java.util.ArrayList<>(elements.size());
      for (Element e : elements) {
        l.add(e.value().toPlain());
      }
      return l;
    }
  }

  /** One list element: its stable id and its value. */
  record Element(String id, Value value) {}

  record TextValue(String text) implements Value {
    @Override
    public Object toPlain() {
      return text;
    }
  }

  record CounterValue(long value) implements Value {
    @Override
    public Object toPlain() {
      return value;
    }
  }
}
