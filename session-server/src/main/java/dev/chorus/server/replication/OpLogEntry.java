package dev.chorus.server.replication;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One entry of the replicated op log: a CRDT change (codec JSON) with what other replicas need to
 * treat it as their own — the batch it came from (for idempotent re-sends on any node), the ack the
 * origin gave, the client ops as applied (for {@code change} frames) and the origin's log position.
 *
 * <p>Entries are immutable and identified by the change id ({@code replica}, {@code startCounter}):
 * the same id always carries the same entry, so applying one twice, in any order, on any node, is
 * harmless (set union).
 *
 * @param replica the replica that recorded the change
 * @param startCounter the change's first op counter (with {@code replica}: its unique id)
 * @param endCounter the change's last op counter
 * @param changeJson the change, {@code dev.chorus.crdt.codec.ChangeCodec} JSON
 * @param batchId the client's batch id, or null (server-made changes: initial content, leases)
 * @param contentHash hash of the batch content (with {@code batchId})
 * @param version the version the origin acked the batch with (with {@code batchId})
 * @param resultsJson the ack's {@code results} array as JSON (with {@code batchId})
 * @param opsJson the client ops as applied, JSON array, or null if unknown
 * @param seq the origin's log position (a Lamport-style counter, for ordering and trimming)
 */
public record OpLogEntry(
    String replica,
    long startCounter,
    long endCounter,
    String changeJson,
    String batchId,
    String contentHash,
    String version,
    String resultsJson,
    String opsJson,
    long seq) {

  /**
   * Writes the entry in the compact binary form the topics carry ({@link #readFrom} reads it back):
   * the change, results and ops are already JSON (made once by the origin, or read from the store),
   * so they travel as bytes and the receiver hands them on as they came — nothing is parsed into a
   * tree and printed again, on either side.
   */
  public void writeTo(DataOutput out) throws IOException {
    writeString(out, replica);
    out.writeLong(startCounter);
    out.writeLong(endCounter);
    writeString(out, changeJson);
    writeString(out, batchId);
    writeString(out, contentHash);
    writeString(out, version);
    writeString(out, resultsJson);
    writeString(out, opsJson);
    out.writeLong(seq);
  }

  /** Reads an entry {@link #writeTo} wrote. */
  public static OpLogEntry readFrom(DataInput in) throws IOException {
    return new OpLogEntry(
        readString(in),
        in.readLong(),
        in.readLong(),
        readString(in),
        readString(in),
        readString(in),
        readString(in),
        readString(in),
        readString(in),
        in.readLong());
  }

  /**
   * A string as its UTF-8 length and bytes ({@code -1}: null). Not {@link DataOutput#writeUTF},
   * which stops at 64 KB and a change may be larger.
   */
  public static void writeString(DataOutput out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** Reads a string {@link #writeString} wrote. */
  public static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
