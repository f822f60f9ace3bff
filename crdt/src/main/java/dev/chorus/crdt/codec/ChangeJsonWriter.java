package dev.chorus.crdt.codec;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.util.List;

/**
 * A change's JSON text (format v1, see {@link ChangeCodec}), appended straight to one {@link
 * StringBuilder}. Every local write is encoded once for the store, the op log, its change frames
 * and the next snapshot's history; a Jackson generator per change (its context objects, a
 * synchronized {@code StringWriter}, a copy of the text) cost about twice this. The text is byte
 * for byte what Jackson writes: strings escaped by Jackson's own encoder, numbers as {@code
 * Long.toString} and {@code Double.toString} (scalars are finite, see {@link Content.Scalar}) —
 * stored changes and snapshot histories stay the same ({@code ChangeJsonWriterTest}).
 */
final class ChangeJsonWriter {
  private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

  private final StringBuilder b;

  private ChangeJsonWriter(StringBuilder b) {
    this.b = b;
  }

  static String write(Change c) {
    ChangeJsonWriter w = new ChangeJsonWriter(new StringBuilder(160 + 96 * c.ops().size()));
    w.change(c);
    return w.b.toString();
  }

  private void change(Change c) {
    b.append("{\"replica\":");
    string(c.replica());
    b.append(",\"prev\":").append(c.prevCounter());
    b.append(",\"start\":").append(c.startCounter());
    b.append(",\"basedOn\":");
    string(c.basedOn().toString());
    b.append(",\"deps\":");
    string(c.deps().toString());
    b.append(",\"author\":{\"id\":");
    string(c.author().actorId());
    b.append(",\"kind\":");
    string(c.author().kind().wireName());
    b.append("},\"ts\":").append(c.timestamp());
    b.append(",\"ops\":[");
    List<Op> ops = c.ops();
    for (int i = 0; i < ops.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      op(ops.get(i));
    }
    b.append("]}");
  }

  private void op(Op op) {
    if (op instanceof Op.MapSet s) {
      head("mapSet", s.target());
      field("key", s.key());
      content(s.value());
      ids("pred", s.pred());
    } else if (op instanceof Op.MapDelete d) {
      head("mapDelete", d.target());
      field("key", d.key());
      ids("pred", d.pred());
    } else if (op instanceof Op.ListInsert ins) {
      head("listInsert", ins.target());
      origins(ins.originLeft(), ins.originRight());
      content(ins.value());
    } else if (op instanceof Op.ListSet s) {
      head("listSet", s.target());
      id("elem", s.element());
      content(s.value());
      ids("pred", s.pred());
    } else if (op instanceof Op.ListDelete d) {
      head("listDelete", d.target());
      id("elem", d.element());
      ids("pred", d.pred());
    } else if (op instanceof Op.ListMove m) {
      head("listMove", m.target());
      id("elem", m.element());
      origins(m.originLeft(), m.originRight());
      ids("pred", m.pred());
    } else if (op instanceof Op.TextInsert t) {
      head("textInsert", t.target());
      origins(t.originLeft(), t.originRight());
      field("text", t.text());
    } else if (op instanceof Op.TextDelete t) {
      head("textDelete", t.target());
      b.append(",\"ranges\":[");
      List<IdRange> ranges = t.ranges();
      for (int i = 0; i < ranges.size(); i++) {
        b.append(i > 0 ? ",[" : "[");
        id(ranges.get(i).start());
        b.append(',').append(ranges.get(i).length()).append(']');
      }
      b.append(']');
    } else if (op instanceof Op.CounterAdd a) {
      head("counterAdd", a.target());
      b.append(",\"delta\":").append(a.delta());
    } else if (op instanceof Op.Keep k) {
      head("keep", k.target());
      field("key", k.key());
      ids("pred", k.pred());
    } else {
      throw new IllegalArgumentException("unknown op " + op.getClass().getSimpleName());
    }
    b.append('}');
  }

  /** Opens the op's object with its kind and target. */
  private void head(String name, OpId target) {
    b.append("{\"op\":\"").append(name).append("\",\"obj\":");
    id(target);
  }

  private void field(String name, String value) {
    b.append(",\"").append(name).append("\":");
    string(value);
  }

  private void origins(OpId left, OpId right) {
    b.append(",\"left\":");
    idOrNull(left);
    b.append(",\"right\":");
    idOrNull(right);
  }

  private void idOrNull(OpId id) {
    if (id == null) {
      b.append("null");
    } else {
      id(id);
    }
  }

  private void id(String name, OpId id) {
    b.append(",\"").append(name).append("\":");
    id(id);
  }

  /**
   * An id as the string {@link OpId#toString} makes, without making it (ids are most of a change).
   */
  private void id(OpId id) {
    if (id.equals(OpId.ROOT)) {
      b.append("\"root\"");
      return;
    }
    b.append('"').append(id.counter()).append('@');
    STRINGS.quoteAsString(id.replica(), b);
    b.append('"');
  }

  private void ids(String name, List<OpId> ids) {
    b.append(",\"").append(name).append("\":[");
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      id(ids.get(i));
    }
    b.append(']');
  }

  /** A register value: {@code "value": scalar} or {@code "make": "map"}. */
  private void content(Content c) {
    if (c instanceof Content.New n) {
      field("make", n.type().wireName());
      return;
    }
    b.append(",\"value\":");
    Object v = ((Content.Scalar) c).value();
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      string(s);
    } else {
      b.append(v); // Boolean, Long or a finite Double: their toString is Jackson's output
    }
  }

  private void string(String s) {
    b.append('"');
    STRINGS.quoteAsString(s, b);
    b.append('"');
  }
}
