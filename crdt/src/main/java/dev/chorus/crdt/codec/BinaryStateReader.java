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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what {@link BinaryStateWriter} wrote. Any inconsistency (truncated input, a bad tag, a
 * reference to nothing) throws; the caller turns it into a {@link CodecException}.
 */
final class BinaryStateReader {
  private final byte[] in;
  private int pos;
  private final int end;
  private final List<String> strings = new ArrayList<>();
  private final List<Author> authors = new ArrayList<>();
  private final List<VersionVector> versions = new ArrayList<>();
  private final boolean columnSequences;

  BinaryStateReader(byte[] in, int pos, int end) {
    this(in, pos, end, true);
  }

  /** {@code columnSequences}: false for a format v2 state, whose sequences are run by run. */
  BinaryStateReader(byte[] in, int pos, int end, boolean columnSequences) {
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
      case BinaryState.NULL -> new Content.Scalar(null);
      case BinaryState.STRING -> new Content.Scalar(str());
      case BinaryState.TRUE -> new Content.Scalar(Boolean.TRUE);
      case BinaryState.FALSE -> new Content.Scalar(Boolean.FALSE);
      case BinaryState.LONG -> new Content.Scalar(signed());
      case BinaryState.DOUBLE -> {
        long bits = 0;
        for (int k = 0; k < 8; k++) {
          bits |= (long) raw() << (8 * k);
        }
        yield new Content.Scalar(Double.longBitsToDouble(bits));
      }
      case BinaryState.NEW -> new Content.New(Container.fromWire(str()));
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
      if (kind >= BinaryState.KINDS.length) {
        throw new IllegalArgumentException("bad retirement kind " + kind);
      }
      out.add(
          new Retirement(by, changeStart, BinaryState.KINDS[kind], version(), author(), signed()));
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
