package dev.chorus.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.type.DocState;
import dev.chorus.crdt.type.StateImage;
import dev.chorus.crdt.type.StateImageCache;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A whole replica to and from a snapshot. A decoded snapshot is an identical replica — same reads,
 * conflicts, hash and history — under the replica id the caller gives. Output is deterministic for
 * a given replica state and, in the binary format, for the history chunks it is encoded with (see
 * {@link HistoryChunks}: where earlier snapshots cut the history). Malformed input fails with a
 * {@link CodecException} and builds nothing.
 *
 * <p>Three formats; {@link #decode} takes any:
 *
 * <ul>
 *   <li>v1, JSON ({@link #toJson}, {@link #fromJson}, gzipped by {@link #encode(ObjectNode)}; the
 *       state part in {@link JsonStateImage}): the readable form, pinned by golden files; what
 *       stores written before v2 hold.
 *   <li>v3 (and v2 before it), binary ({@link #encode(Doc)}, layout in {@link BinarySnapshot}): the
 *       state in a compact binary form ({@link BinaryState}), and the history apart, in compressed
 *       chunks. Decoding the JSON of a long history costs more than the state and a load rarely
 *       needs it, so {@link #decode} keeps the chunks compressed in the replica until something
 *       asks for the history ({@link Doc#changesSince}, {@link Doc#unseenChanges}, {@link
 *       Doc#history}); encoding a replica whose history was never decoded copies its chunks as they
 *       are, and a {@link HistoryChunks} lets later snapshots copy the chunks of earlier ones.
 *       Every chunk's CRC is checked at decode time, so corruption is still found at load.
 * </ul>
 */
public final class SnapshotCodec {
  static final String FORMAT = "chorus-snapshot";

  private SnapshotCodec() {}

  /** The binary snapshot (v3), its decoded history encoded as one chunk. */
  public static byte[] encode(Doc doc) {
    return encode(capture(doc, new HistoryChunks()));
  }

  /**
   * What {@link #encode(Capture)} needs of a replica, taken now: the state as an immutable image,
   * the history as immutable changes and compressed chunks. Writing and compressing it all can then
   * run on another thread while the replica goes on (the server does it off the session's event
   * loop: the capture is the only part of a snapshot that holds the session up). {@code reuse},
   * kept by the caller for this replica from one snapshot to the next, lets the encode copy the
   * history chunks of earlier snapshots instead of encoding the whole history again.
   */
  public static Capture capture(Doc doc, HistoryChunks reuse) {
    return BinarySnapshot.capture(doc, reuse, StateImage.of(doc.internalState()));
  }

  /**
   * Like {@link #capture(Doc, HistoryChunks)}, the state's image taken with {@code images}, kept by
   * the caller for this replica from one capture to the next (on the replica's thread): what did
   * not change since its last capture keeps its image, so the capture costs what changed, not the
   * document. The snapshot is the same byte for byte.
   */
  public static Capture capture(Doc doc, HistoryChunks reuse, StateImageCache images) {
    return BinarySnapshot.capture(doc, reuse, images.capture(doc.internalState()));
  }

  /** A replica's snapshot taken by {@link #capture}, to be encoded. */
  public static final class Capture {
    final VersionVector version;
    final VersionVector horizon;
    final StateImage image;
    final List<Change> pending;
    final BinarySnapshot.Chunks older;
    final List<Change> newer;
    final HistoryChunks reuse;

    Capture(
        VersionVector version,
        VersionVector horizon,
        StateImage image,
        List<Change> pending,
        BinarySnapshot.Chunks older,
        List<Change> newer,
        HistoryChunks reuse) {
      this.version = version;
      this.horizon = horizon;
      this.image = image;
      this.pending = pending;
      this.older = older;
      this.newer = newer;
      this.reuse = reuse;
    }
  }

  /** The binary snapshot (v3) of a capture; safe on any thread. */
  public static byte[] encode(Capture c) {
    return BinarySnapshot.encode(c);
  }

  /**
   * A v1 snapshot made with {@link #toJson}, gzipped; safe on any thread (the tree does not refer
   * to the replica). {@link #encode(Capture)} is several times faster to write and to load.
   */
  public static byte[] encode(ObjectNode snapshot) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      Json.MAPPER.writeValue(gz, snapshot);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a snapshot (v3, v2, or v1 gzipped or plain) into a new replica named {@code replicaId}.
   */
  public static Doc decode(byte[] snapshot, String replicaId) {
    if (BinarySnapshot.is(snapshot)) {
      return BinarySnapshot.decode(snapshot, replicaId);
    }
    byte[] json = snapshot;
    if (snapshot.length > 2 && (snapshot[0] & 0xff) == 0x1f && (snapshot[1] & 0xff) == 0x8b) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(snapshot))) {
        json = in.readAllBytes();
      } catch (IOException e) {
        throw new CodecException("snapshot: corrupt gzip data", e);
      }
    }
    return fromJson(Json.parse(new String(json, StandardCharsets.UTF_8)), replicaId);
  }

  public static ObjectNode toJson(Doc doc) {
    StateImage img = StateImage.of(doc.internalState());
    ObjectNode o = Json.NODES.objectNode();
    o.put("format", FORMAT);
    o.put("v", 1);
    o.put("version", doc.version().toString());
    o.put("horizon", doc.horizon().toString());
    o.set("root", JsonStateImage.obj(img.root()));
    ArrayNode items = o.putArray("items");
    img.items().forEach(i -> items.add(JsonStateImage.item(i)));
    o.set("history", ChangeCodec.listToJson(doc.history()));
    o.set("pending", ChangeCodec.listToJson(doc.pending()));
    return o;
  }

  public static Doc fromJson(JsonNode n, String replicaId) {
    String w = "snapshot";
    Json.object(n, w);
    if (!FORMAT.equals(Json.text(n, "format", w)) || Json.number(n, "v", w) != 1) {
      throw new CodecException(w + ": not a chorus-snapshot v1");
    }
    StateImage img =
        new StateImage(
            JsonStateImage.obj(Json.field(n, "root", w), w + ".root"), JsonStateImage.items(n, w));
    Doc doc = new Doc(replicaId);
    DocState st = doc.internalState();
    try {
      img.restore(st);
    } catch (IllegalStateException e) {
      throw new CodecException(w + ": inconsistent state: " + e.getMessage(), e);
    }
    doc.internalRestore(
        Json.version(n, "version", w),
        Json.version(n, "horizon", w),
        ChangeCodec.listFromJson(Json.field(n, "history", w)),
        ChangeCodec.listFromJson(Json.field(n, "pending", w)));
    return doc;
  }
}
