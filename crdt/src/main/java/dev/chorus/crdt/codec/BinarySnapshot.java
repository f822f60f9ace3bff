package dev.chorus.crdt.codec;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.UndecodedHistory;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.type.StateImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The binary snapshot formats, see {@link SnapshotCodec}. Writes v3, reads v3 and v2:
 *
 * <pre>
 *   "CHS" 0x03 (v3) or 0x02 (v2)
 *   state:   varint length, gzip of [version, horizon, {@link BinaryState} image, pending changes];
 *            v3 writes each list and text as a {@link SequenceLayout} in columns, v2 run by run
 *   history: varint chunk count, then per chunk: varint change count, varint length, CRC-32 of
 *            the gzip bytes and the count (4 bytes, big-endian), gzip of the changes (each its v1
 *            JSON)
 * </pre>
 *
 * A load inflates and reads the state only; each history chunk's CRC is checked, and the chunks are
 * kept compressed in the replica until the history is first asked for. A replica whose history was
 * never decoded is encoded by copying its chunks as they are; its decoded history (the changes
 * applied since, or all of it once decoded) is encoded in the chunks a {@link HistoryChunks} gives:
 * those of earlier snapshots that still match, then one chunk of the rest.
 */
final class BinarySnapshot {
  private BinarySnapshot() {}

  private static final byte[] MAGIC = {'C', 'H', 'S', 3};
  private static final int V2 = 2;

  static boolean is(byte[] b) {
    return b.length >= MAGIC.length
        && Arrays.equals(b, 0, MAGIC.length - 1, MAGIC, 0, MAGIC.length - 1)
        && (b[MAGIC.length - 1] == MAGIC[MAGIC.length - 1] || b[MAGIC.length - 1] == V2);
  }

  /** One compressed run of history changes. */
  record Chunk(int count, byte[] gz) {}

  /** The history of a binary snapshot, still compressed: its chunks, oldest first. */
  static final class Chunks implements UndecodedHistory {
    private final List<Chunk> chunks;
    private final int count;

    private Chunks(List<Chunk> chunks) {
      this.chunks = List.copyOf(chunks);
      this.count = chunks.stream().mapToInt(Chunk::count).sum();
    }

    @Override
    public int size() {
      return count;
    }

    @Override
    public List<Change> decode() {
      List<Change> out = new ArrayList<>(count);
      try {
        for (Chunk c : chunks) {
          byte[] raw = gunzip(c.gz());
          BinaryStateReader r = new BinaryStateReader(raw, 0, raw.length);
          for (int k = 0; k < c.count(); k++) {
            out.add(ChangeCodec.fromJson(r.text()));
          }
          if (!r.atEnd()) {
            throw new IllegalArgumentException("history chunk longer than its changes");
          }
        }
      } catch (CodecException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new CodecException("binary snapshot: " + e.getMessage(), e);
      }
      return out;
    }
  }

  /**
   * Takes what the snapshot needs, on the replica's thread: the state as an image (immutable, a
   * copy of everything it holds, taken by the caller) and the history as immutable changes. Nothing
   * is written here.
   */
  static SnapshotCodec.Capture capture(Doc doc, HistoryChunks reuse, StateImage image) {
    UndecodedHistory undecoded = doc.internalUndecodedHistory();
    Chunks older = undecoded instanceof Chunks h ? h : null;
    List<Change> newer =
        undecoded != null && older == null ? doc.history() : doc.internalDecodedHistory();
    return new SnapshotCodec.Capture(
        doc.version(), doc.horizon(), image, doc.pending(), older, newer, reuse);
  }

  /** The snapshot of a capture; on any thread (the image and the changes are immutable). */
  static byte[] encode(SnapshotCodec.Capture c) {
    BinaryStateWriter w = new BinaryStateWriter();
    w.text(c.version.toString());
    w.text(c.horizon.toString());
    w.image(c.image);
    w.varint(c.pending.size());
    for (Change p : c.pending) {
      w.text(ChangeCodec.toJsonString(p));
    }
    return encode(w.bytes(), c.older, c.newer, c.reuse);
  }

  private static byte[] encode(
      byte[] state, Chunks older, List<Change> newer, HistoryChunks reuse) {
    BinaryStateWriter w = new BinaryStateWriter();
    w.raw(MAGIC, 0, MAGIC.length);
    byte[] stateGz = gzip(state);
    w.varint(stateGz.length);
    w.raw(stateGz, 0, stateGz.length);
    List<Chunk> chunks = new ArrayList<>(older == null ? List.of() : older.chunks);
    chunks.addAll(reuse.chunks(newer));
    w.varint(chunks.size());
    for (Chunk c : chunks) {
      w.varint(c.count());
      w.varint(c.gz().length);
      long crc = crc(c.count(), c.gz());
      for (int k = 3; k >= 0; k--) {
        w.raw((int) (crc >>> (8 * k)) & 0xFF);
      }
      w.raw(c.gz(), 0, c.gz().length);
    }
    return w.bytes();
  }

  static Doc decode(byte[] bytes, String replicaId) {
    boolean v2 = bytes[MAGIC.length - 1] == V2;
    String w = v2 ? "snapshot v2" : "snapshot v3";
    VersionVector version;
    VersionVector horizon;
    StateImage img;
    List<Change> pending;
    Chunks history;
    try {
      BinaryStateReader r = new BinaryStateReader(bytes, MAGIC.length, bytes.length);
      int stateLen = r.count();
      byte[] state = gunzip(Arrays.copyOfRange(bytes, r.pos(), r.pos() + stateLen));
      r.skip(stateLen);
      BinaryStateReader st = new BinaryStateReader(state, 0, state.length, !v2);
      version = VersionVector.parse(st.text());
      horizon = VersionVector.parse(st.text());
      img = st.image();
      int np = st.count();
      pending = new ArrayList<>(np);
      for (int k = 0; k < np; k++) {
        pending.add(ChangeCodec.fromJson(st.text()));
      }
      if (!st.atEnd()) {
        throw new IllegalArgumentException("state section longer than its state");
      }
      int nc = r.count();
      List<Chunk> chunks = new ArrayList<>(nc);
      for (int k = 0; k < nc; k++) {
        int count = r.count();
        int len = r.count();
        long crc = 0;
        for (int b = 0; b < 4; b++) {
          crc = (crc << 8) | r.raw();
        }
        byte[] gz = Arrays.copyOfRange(bytes, r.pos(), r.pos() + len);
        r.skip(len);
        if (crc(count, gz) != crc) {
          throw new IllegalArgumentException("history chunk " + k + ": CRC mismatch");
        }
        chunks.add(new Chunk(count, gz));
      }
      if (!r.atEnd()) {
        throw new IllegalArgumentException("trailing bytes");
      }
      history = new Chunks(chunks);
    } catch (CodecException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CodecException(w + ": " + e.getMessage(), e);
    }
    Doc doc = new Doc(replicaId);
    try {
      img.restore(doc.internalState());
    } catch (RuntimeException e) {
      throw new CodecException(w + ": inconsistent state: " + e.getMessage(), e);
    }
    doc.internalRestore(version, horizon, history, pending);
    return doc;
  }

  /**
   * One chunk of {@code changes} (not empty); {@code known} gives a change's JSON if it was encoded
   * already (null: encode it here).
   */
  static Chunk chunk(List<Change> changes, Function<Change, String> known) {
    BinaryStateWriter h = new BinaryStateWriter();
    for (Change c : changes) {
      String json = known.apply(c);
      h.text(json != null ? json : ChangeCodec.toJsonString(c));
    }
    return new Chunk(changes.size(), gzip(h.bytes()));
  }

  /** CRC-32 of a chunk: its compressed bytes, then its change count (4 bytes, big-endian). */
  private static long crc(int count, byte[] gz) {
    CRC32 c = new CRC32();
    c.update(gz);
    for (int k = 3; k >= 0; k--) {
      c.update((count >>> (8 * k)) & 0xFF);
    }
    return c.getValue();
  }

  private static byte[] gzip(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      gz.write(raw);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] gz) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz), 1 << 16)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new CodecException("binary snapshot: corrupt gzip data", e);
    }
  }
}
