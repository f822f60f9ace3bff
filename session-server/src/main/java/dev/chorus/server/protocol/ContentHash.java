package dev.chorus.server.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;

/**
 * The content hash of a batch (what makes a re-sent batch id with other content {@code
 * batch_id_reused}): SHA-256, in hex, of the compact JSON with every object's keys sorted, so key
 * order does not matter. The JSON is streamed into the digest as it is written — no sorted copy of
 * the tree, no string of it — and is byte for byte what hashes stored by earlier versions were
 * taken of ({@code ContentHashTest}), so a batch re-sent across an upgrade is still recognised.
 *
 * <p>Stateless and thread-safe.
 */
public final class ContentHash {
  /** Cloned for each hash: a clone skips the provider lookup of {@code getInstance}. */
  private static final MessageDigest SHA_256;

  static {
    try {
      SHA_256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Writes UTF-8 as {@code String.getBytes} encodes it: a surrogate pair (an emoji) as its 4-byte
   * sequence, where Jackson's UTF-8 output would otherwise escape its two halves — the hash was
   * never taken of that.
   */
  private static final JsonFactory UTF8 =
      JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  private ContentHash() {}

  public static String of(JsonNode n) {
    MessageDigest md;
    try {
      md = (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
    try (JsonGenerator g = UTF8.createGenerator(new DigestSink(md), JsonEncoding.UTF8)) {
      g.setCodec(Values.MAPPER); // scalars printed as the mapper prints them
      write(g, n);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void write(JsonGenerator g, JsonNode n) throws IOException {
    if (n.isObject()) {
      g.writeStartObject();
      List<String> keys = new ArrayList<>(n.size());
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        keys.add(it.next());
      }
      Collections.sort(keys);
      for (String k : keys) {
        g.writeFieldName(k);
        write(g, n.get(k));
      }
      g.writeEndObject();
    } else if (n.isArray()) {
      g.writeStartArray();
      for (JsonNode e : n) {
        write(g, e);
      }
      g.writeEndArray();
    } else if (n.isTextual()) {
      g.writeString(n.textValue());
    } else if (n.isInt()) {
      g.writeNumber(n.intValue());
    } else if (n.isLong()) {
      g.writeNumber(n.longValue());
    } else if (n.isBoolean()) {
      g.writeBoolean(n.booleanValue());
    } else if (n.isNull()) {
      g.writeNull();
    } else {
      // doubles, big numbers: printed as the mapper prints them (each scalar above is what
      // its node's serializer writes, without looking one up per value)
      g.writeTree(n);
    }
  }

  /** Bytes written go into the digest (the generator buffers them, then writes in blocks). */
  private static final class DigestSink extends OutputStream {
    private final MessageDigest md;

    DigestSink(MessageDigest md) {
      this.md = md;
    }

    @Override
    public void write(int b) {
      md.update((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      md.update(b, off, len);
    }
  }
}
