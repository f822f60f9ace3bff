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
import dev.chorus.crdt.type.StateImage.RunImage;
import dev.chorus.crdt.type.Touch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The binary encoding of a {@link StateImage} and of the strings around it, for snapshot format v2
 * (see {@link SnapshotCodec}). Integers are LEB128 varints (signed ones zig-zag), strings UTF-8
 * with their byte length. Strings, authors and version vectors are written once: the first
 * occurrence is tagged 0 and followed by its value, later ones are its index + 1 in the order of
 * first occurrence — replica ids, actor ids, keys and the versions writers had seen repeat on
 * almost every value, so this is most of the saving, and the reader shares one instance of each.
 */
final class BinaryState {
  private BinaryState() {}

  // Tags of a value's content.
  private static final int NULL = 0;
  private static final int STRING = 1;
  private static final int TRUE = 2;
  private static final int FALSE = 3;
  private static final int LONG = 4;
  private static final int DOUBLE = 5;
  private static final int NEW = 6;

  private static final Retirement.Kind[] KINDS = {
    Retirement.Kind.SET, Retirement.Kind.DELETE, Retirement.Kind.MOVE
  };

  /** Appends values to a growing byte array. */
  static final class Writer {
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
     * Column by column (every row's replica, then every counter delta, …): alike values side by
     * side is what lets gzip shrink a long typing history to a few bits per char.
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
        raw(NEW);
        str(n.type().wireName());
        return;
      }
      Object v = ((Content.Scalar) c).value();
      if (v == null) {
        raw(NULL);
      } else if (v instanceof String s) {
        raw(STRING);
        str(s);
      } else if (v instanceof Boolean b) {
        raw(b ? TRUE : FALSE);
      } else if (v instanceof Long l) {
        raw(LONG);
        signed(l);
      } else {
        raw(DOUBLE);
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

  /**
   * Reads what {@link Writer} wrote. Any inconsistency (truncated input, a bad tag, a reference to
   * nothing) throws; the caller turns it into a {@link CodecException}.
   */
  static final class Reader {
    private final byte[] in;
    private int pos;
    private final int end;
    private final List<String> strings = new ArrayList<>();
    private final List<Author> authors = new ArrayList<>();
    private final List<VersionVector> versions = new ArrayList<>();
    private final boolean columnSequences;

    Reader(byte[] in, int pos, int end) {
      this(in, pos, end, true);
    }

    /** {@code columnSequences}: false for a format v2 state, whose sequences are run by run. */
    Reader(byte[] in, int pos, int end, boolean columnSequences) {
      this.in = in;
      this.pos = pos;
      this.end = end;
      this.columnSequences = columnSequences;
    }

    int pos() {
      return pos;
    }

    boolean atEnd() {
      return pos == end;
    }

    int raw() {
      if (pos >= end) {
        throw new IllegalArgumentException("truncated");
      }
      return in[pos++] & 0xFF;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = raw();
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("varint too long");
    }

    long signed() {
      long v = varint();
      return (v >>> 1) ^ -(v & 1);
    }

    /** A count of things that each take at least one byte: never more than what is left. */
    int count() {
      long n = varint();
      if (n < 0 || n > end - pos) {
        throw new IllegalArgumentException("bad count " + n);
      }
      return (int) n;
    }

    String text() {
      int n = count();
      String s = new String(in, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    void skip(int n) {
      if (n < 0 || n > end - pos) {
        throw new IllegalArgumentException("truncated");
      }
      pos += n;
    }

    String str() {
      long ref = varint();
      if (ref == 0) {
        String s = text();
        strings.add(s);
        return s;
      }
      return strings.get(Math.toIntExact(ref - 1));
    }

    Author author() {
      long ref = varint();
      if (ref == 0) {
        String actor = str();
        int kind = raw();
        if (kind > 1) {
          throw new IllegalArgumentException("bad actor kind " + kind);
        }
        Author a = new Author(actor, kind == 0 ? ActorKind.HUMAN : ActorKind.AGENT);
        authors.add(a);
        return a;
      }
      return authors.get(Math.toIntExact(ref - 1));
    }

    VersionVector version() {
      long ref = varint();
      if (ref == 0) {
        int n = count();
        Map<String, Long> m = new TreeMap<>();
        for (int k = 0; k < n; k++) {
          m.put(str(), varint());
        }
        VersionVector v = VersionVector.of(m);
        versions.add(v);
        return v;
      }
      return versions.get(Math.toIntExact(ref - 1));
    }

    OpId id() {
      long c = varint();
      if (c == 0) {
        return null;
      }
      return new OpId(c - 1, str());
    }

    OpId requiredId() {
      OpId id = id();
      if (id == null) {
        throw new IllegalArgumentException("missing id");
      }
      return id;
    }

    StateImage image() {
      ObjImage root = obj();
      int n = count();
      List<ItemImage> items = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        OpId id = requiredId();
        List<EntryImage> value = entries();
        int np = count();
        List<PositionImage> positions = new ArrayList<>(np);
        for (int j = 0; j < np; j++) {
          positions.add(
              new PositionImage(requiredId(), requiredId(), author(), signed(), retirements()));
        }
        List<Retirement> kept = retirements();
        items.add(new ItemImage(id, value, positions, kept, agg()));
      }
      return new StateImage(root, items);
    }

    private ObjImage obj() {
      OpId id = requiredId();
      Container type = Container.fromWire(str());
      AggImage agg = agg();
      Map<String, List<EntryImage>> registers = new TreeMap<>();
      List<RunImage> runs = new ArrayList<>();
      long counter = 0;
      switch (type) {
        case MAP -> {
          int n = count();
          for (int k = 0; k < n; k++) {
            String key = str();
            registers.put(key, entries());
          }
        }
        case LIST, TEXT -> {
          if (columnSequences) {
            runs.addAll(sequence().runs(type == Container.TEXT, "sequence " + id));
            break;
          }
          // format v2: one run after another
          int n = count();
          for (int k = 0; k < n; k++) {
            OpId rid = requiredId();
            long len = varint();
            if (len <= 0 || len > Integer.MAX_VALUE) {
              throw new IllegalArgumentException("bad run length " + len);
            }
            OpId left = id();
            OpId right = id();
            int flags = raw();
            String text = (flags & 2) != 0 ? text() : null;
            runs.add(new RunImage(rid, (int) len, left, right, (flags & 1) != 0, text));
          }
        }
        case COUNTER -> counter = signed();
      }
      return new ObjImage(id, type, registers, runs, counter, agg);
    }

    private SequenceLayout sequence() {
      int nr = count();
      List<String> replicas = new ArrayList<>(nr);
      for (int k = 0; k < nr; k++) {
        replicas.add(str());
      }
      long[] rows = columns(SequenceLayout.ROW);
      int no = count();
      List<OpId> origins = new ArrayList<>(no);
      for (int k = 0; k < no; k++) {
        origins.add(requiredId());
      }
      return new SequenceLayout(
          replicas,
          rows,
          origins,
          columns(SequenceLayout.RANGE),
          columns(SequenceLayout.RANGE),
          text());
    }

    private long[] columns(int width) {
      int n = count();
      long[] flat = new long[n * width];
      for (int c = 0; c < width; c++) {
        for (int i = c; i < flat.length; i += width) {
          flat[i] = signed();
        }
      }
      return flat;
    }

    private List<EntryImage> entries() {
      int n = count();
      List<EntryImage> out = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        OpId id = requiredId();
        Author author = author();
        long ts = signed();
        Content content = content();
        List<Retirement> retired = retirements();
        int hasChild = raw();
        out.add(new EntryImage(id, author, ts, content, retired, hasChild == 1 ? obj() : null));
      }
      return out;
    }

    private Content content() {
      int tag = raw();
      return switch (tag) {
        case NULL -> new Content.Scalar(null);
        case STRING -> new Content.Scalar(str());
        case TRUE -> new Content.Scalar(Boolean.TRUE);
        case FALSE -> new Content.Scalar(Boolean.FALSE);
        case LONG -> new Content.Scalar(signed());
        case DOUBLE -> {
          long bits = 0;
          for (int k = 0; k < 8; k++) {
            bits |= (long) raw() << (8 * k);
          }
          yield new Content.Scalar(Double.longBitsToDouble(bits));
        }
        case NEW -> new Content.New(Container.fromWire(str()));
        default -> throw new IllegalArgumentException("bad content tag " + tag);
      };
    }

    private List<Retirement> retirements() {
      int n = count();
      if (n == 0) {
        return List.of();
      }
      List<Retirement> out = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        OpId by = requiredId();
        long changeStart = varint();
        int kind = raw();
        if (kind >= KINDS.length) {
          throw new IllegalArgumentException("bad retirement kind " + kind);
        }
        out.add(new Retirement(by, changeStart, KINDS[kind], version(), author(), signed()));
      }
      return out;
    }

    private AggImage agg() {
      int n = count();
      Map<String, long[]> touch = new TreeMap<>();
      for (int k = 0; k < n; k++) {
        String replica = str();
        touch.put(replica, new long[] {signed(), signed(), signed()});
      }
      VersionVector ack = version();
      int na = count();
      List<Touch> actors = new ArrayList<>(na);
      for (int k = 0; k < na; k++) {
        actors.add(new Touch(requiredId(), author(), signed()));
      }
      return new AggImage(touch, ack, actors);
    }
  }
}
