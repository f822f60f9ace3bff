package dev.chorus.crdt.codec;

import dev.chorus.crdt.ActorKind;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.type.Retirement;
import dev.chorus.crdt.type.StateImage;
import dev.chorus.crdt.type.StateImage.AggImage;
import dev.chorus.crdt.type.StateImage.EntryImage;
import dev.chorus.crdt.type.StateImage.ItemImage;
import dev.chorus.crdt.type.StateImage.ObjImage;
import dev.chorus.crdt.type.StateImage.PositionImage;
import dev.chorus.crdt.type.Touch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Writes a {@link BinaryState} encoding: appends values to a growing byte array. */
final class BinaryStateWriter {
  // Not a ByteArrayOutputStream: its write is synchronized, and a state image is written a
  // byte or a few at a time (millions of writes on the event loop per snapshot).
  private byte[] out = new byte[1 << 16];
  private int size;
  private final Map<String, Integer> strings = new HashMap<>();
  private final Map<Author, Integer> authors = new HashMap<>();
  private final Map<VersionVector, Integer> versions = new HashMap<>();

  byte[] bytes() {
    return Arrays.copyOf(out, size);
  }

  private void room(int n) {
    if (out.length - size < n) {
      out = Arrays.copyOf(out, Math.max(out.length * 2, size + n));
    }
  }

  void raw(int b) {
    room(1);
    out[size++] = (byte) b;
  }

  void raw(byte[] b, int from, int to) {
    room(to - from);
    System.arraycopy(b, from, out, size, to - from);
    size += to - from;
  }

  void varint(long v) {
    room(10);
    while ((v & ~0x7FL) != 0) {
      out[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[size++] = (byte) v;
  }

  void signed(long v) {
    varint((v << 1) ^ (v >> 63));
  }

  /** A string written out every time (texts, changes). */
  void text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    varint(b.length);
    raw(b, 0, b.length);
  }

  /** A string written once, then referred to. */
  void str(String s) {
    Integer i = strings.get(s);
    if (i != null) {
      varint(i + 1L);
      return;
    }
    strings.put(s, strings.size());
    varint(0);
    text(s);
  }

  void author(Author a) {
    Integer i = authors.get(a);
    if (i != null) {
      varint(i + 1L);
      return;
    }
    authors.put(a, authors.size());
    varint(0);
    str(a.actorId());
    raw(a.kind() == ActorKind.HUMAN ? 0 : 1);
  }

  void version(VersionVector v) {
    Integer i = versions.get(v);
    if (i != null) {
      varint(i + 1L);
      return;
    }
    versions.put(v, versions.size());
    varint(0);
    varint(v.asMap().size());
    v.forEach(
        (replica, counter) -> {
          str(replica);
          varint(counter);
        });
  }

  /** An op id, or null. */
  void id(OpId id) {
    if (id == null) {
      varint(0);
      return;
    }
    varint(id.counter() + 1);
    str(id.replica());
  }

  void image(StateImage img) {
    obj(img.root());
    varint(img.items().size());
    for (ItemImage i : img.items()) {
      id(i.id());
      entries(i.value());
      varint(i.positions().size());
      for (PositionImage p : i.positions()) {
        id(p.id());
        id(p.list());
        author(p.author());
        signed(p.timestamp());
        retirements(p.retiredBy());
      }
      retirements(i.keptDeletes());
      agg(i.agg());
    }
  }

  private void obj(ObjImage o) {
    id(o.id());
    str(o.type().wireName());
    agg(o.agg());
    switch (o.type()) {
      case MAP -> {
        varint(o.registers().size());
        for (Map.Entry<String, List<EntryImage>> e : o.registers().entrySet()) {
          str(e.getKey());
          entries(e.getValue());
        }
      }
      case LIST, TEXT -> sequence(SequenceLayout.of(o.runs(), o.type() == Container.TEXT));
      case COUNTER -> signed(o.counter());
    }
  }

  /**
   * Column by column (every row's replica, then every counter delta, …): alike values side by side
   * is what lets gzip shrink a long typing history to a few bits per char.
   */
  private void sequence(SequenceLayout s) {
    varint(s.replicas().size());
    s.replicas().forEach(this::str);
    columns(s.rows(), SequenceLayout.ROW);
    varint(s.origins().size());
    s.origins().forEach(this::id);
    columns(s.hidden(), SequenceLayout.RANGE);
    columns(s.textless(), SequenceLayout.RANGE);
    text(s.text());
  }

  private void columns(long[] flat, int width) {
    varint(flat.length / width);
    for (int c = 0; c < width; c++) {
      for (int i = c; i < flat.length; i += width) {
        signed(flat[i]);
      }
    }
  }

  // Indexed loops here and below: most of these lists are empty or hold one element, and a state
  // has hundreds of thousands of them (an iterator each is most of what a capture allocates).
  private void entries(List<EntryImage> es) {
    varint(es.size());
    for (int k = 0; k < es.size(); k++) {
      EntryImage e = es.get(k);
      id(e.id());
      author(e.author());
      signed(e.timestamp());
      content(e.content());
      retirements(e.retiredBy());
      if (e.child() == null) {
        raw(0);
      } else {
        raw(1);
        obj(e.child());
      }
    }
  }

  private void content(Content c) {
    if (c instanceof Content.New n) {
      raw(BinaryState.NEW);
      str(n.type().wireName());
      return;
    }
    Object v = ((Content.Scalar) c).value();
    if (v == null) {
      raw(BinaryState.NULL);
    } else if (v instanceof String s) {
      raw(BinaryState.STRING);
      str(s);
    } else if (v instanceof Boolean b) {
      raw(b ? BinaryState.TRUE : BinaryState.FALSE);
    } else if (v instanceof Long l) {
      raw(BinaryState.LONG);
      signed(l);
    } else {
      raw(BinaryState.DOUBLE);
      long bits = Double.doubleToRawLongBits((Double) v);
      for (int k = 0; k < 8; k++) {
        raw((int) (bits >>> (8 * k)) & 0xFF);
      }
    }
  }

  private void retirements(List<Retirement> rs) {
    varint(rs.size());
    for (int k = 0; k < rs.size(); k++) {
      Retirement r = rs.get(k);
      id(r.by());
      varint(r.changeStart());
      raw(r.kind().ordinal());
      version(r.deps());
      author(r.author());
      signed(r.timestamp());
    }
  }

  private void agg(AggImage a) {
    varint(a.touch().size());
    for (Map.Entry<String, long[]> e : a.touch().entrySet()) {
      str(e.getKey());
      for (long x : e.getValue()) {
        signed(x);
      }
    }
    version(a.ack());
    varint(a.actors().size());
    for (int k = 0; k < a.actors().size(); k++) {
      Touch t = a.actors().get(k);
      id(t.op());
      author(t.author());
      signed(t.timestamp());
    }
  }
}
