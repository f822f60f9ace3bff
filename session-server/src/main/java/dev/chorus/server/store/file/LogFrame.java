package dev.chorus.server.store.file;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The framing of a session log file: each record is {@code [int length][int crc32c][payload]}, and
 * the payload a type byte followed by fields (big-endian longs, length-prefixed UTF-8 strings and
 * byte arrays, {@code -1} for null). A frame is written with one {@code write} call; one whose
 * length runs past the end of the file or whose checksum does not match is a write torn by a crash
 * and ends the log there (it was never acknowledged: acks wait for the write to return).
 *
 * <p>{@link Writer} builds one frame and remembers where each string's bytes start, so the store
 * can later read a change's JSON straight from the file without parsing its neighbours.
 */
final class LogFrame {
  static final byte SESSION = 1;
  static final byte GROUP = 2;
  static final byte SNAPSHOT = 3;

  /** Bytes before the payload: length and checksum. */
  static final int HEADER = 8;

  private LogFrame() {}

  /** Builds one frame's payload; {@link #finish} adds the header. */
  static final class Writer {
    private byte[] buf = new byte[256];
    private int pos = HEADER;

    Writer(byte type) {
      buf[pos++] = type;
    }

    /** Offset, from the frame's first byte, of the next field written. */
    int position() {
      return pos;
    }

    Writer putLong(long v) {
      ensure(8);
      for (int i = 56; i >= 0; i -= 8) {
        buf[pos++] = (byte) (v >>> i);
      }
      return this;
    }

    Writer putInt(int v) {
      ensure(4);
      for (int i = 24; i >= 0; i -= 8) {
        buf[pos++] = (byte) (v >>> i);
      }
      return this;
    }

    /**
     * A length-prefixed UTF-8 string, or -1 for null; answers the offset of its bytes in the frame.
     */
    int putString(String s) {
      return putBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-prefixed byte array, or -1 for null; answers the offset of its bytes. */
    int putBytes(byte[] b) {
      if (b == null) {
        putInt(-1);
        return -1;
      }
      putInt(b.length);
      ensure(b.length);
      int at = pos;
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
      return at;
    }

    /** The whole frame, header filled in, ready for one write. */
    ByteBuffer finish() {
      int length = pos - HEADER;
      CRC32C crc = new CRC32C();
      crc.update(buf, HEADER, length);
      ByteBuffer out = ByteBuffer.wrap(buf, 0, pos);
      out.putInt(0, length);
      out.putInt(4, (int) crc.getValue());
      return out;
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }
  }

  /** Reads the fields of one frame's payload, in the order they were written. */
  static final class Reader {
    private final ByteBuffer in;

    /** {@code in} positioned at a payload's first byte and limited to its end. */
    Reader(ByteBuffer in) {
      this.in = in;
    }

    byte type() {
      return in.get();
    }

    long getLong() {
      return in.getLong();
    }

    int getInt() {
      return in.getInt();
    }

    /** Offset in the underlying buffer of the next field's bytes (after its length prefix). */
    int nextBytesAt() {
      return in.position() + 4;
    }

    String getString() {
      byte[] b = getBytes();
      return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    byte[] getBytes() {
      int n = in.getInt();
      if (n < 0) {
        return null;
      }
      byte[] b = new byte[n];
      in.get(b);
      return b;
    }

    /** Skips a length-prefixed field, answering its length (-1 for null). */
    int skipBytes() {
      int n = in.getInt();
      if (n > 0) {
        in.position(in.position() + n);
      }
      return n;
    }
  }

  /**
   * The payload of the frame starting at {@code at} in {@code file} (a view, limited to the
   * payload), or null if no whole, intact frame starts there: the end of the log.
   */
  static ByteBuffer payloadAt(ByteBuffer file, int at) {
    if (file.limit() - at < HEADER) {
      return null;
    }
    int length = file.getInt(at);
    if (length <= 0 || length > file.limit() - at - HEADER) {
      return null;
    }
    CRC32C crc = new CRC32C();
    ByteBuffer payload = file.duplicate().position(at + HEADER).limit(at + HEADER + length);
    crc.update(payload.duplicate());
    if ((int) crc.getValue() != file.getInt(at + 4)) {
      return null;
    }
    return payload;
  }
}
