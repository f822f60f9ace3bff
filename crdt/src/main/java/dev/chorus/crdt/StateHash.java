package dev.chorus.crdt;

import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.Intent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The state hash: SHA-256 over a canonical text of the shown document (with element ids) and the
 * open conflicts. Canonical means: keys sorted, numbers in Java's shortest round-trip form, strings
 * escaped one way — so the hash depends on the state only, never on replica or platform.
 */
final class StateHash {
  private StateHash() {}

  static String of(Value doc, List<Conflict> conflicts) {
    StringBuilder sb = new StringBuilder();
    write(doc, sb);
    sb.append('\n');
    for (Conflict c : conflicts) {
      sb.append(c.id()).append(' ').append(c.kind().wireName()).append(' ');
      str(c.path().toString(), sb);
      for (Intent i : c.intents()) {
        sb.append(' ').append(i.op()).append('/').append(i.role()).append('/');
        str(i.author().actorId(), sb);
      }
      sb.append('\n');
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  private static void write(Value v, StringBuilder sb) {
    if (v instanceof Value.MapValue m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Value> e : m.entries().entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        str(e.getKey(), sb);
        sb.append(':');
        write(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof Value.ListValue l) {
      sb.append('[');
      boolean first = true;
      for (Value.Element e : l.elements()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append(e.id()).append('=');
        write(e.value(), sb);
      }
      sb.append(']');
    } else if (v instanceof Value.TextValue t) {
      sb.append("t");
      str(t.text(), sb);
    } else if (v instanceof Value.CounterValue c) {
      sb.append('#').append(c.value());
    } else {
      Object s = ((Value.Scalar) v).value();
      if (s instanceof String str) {
        str(str, sb);
      } else {
        sb.append(s);
      }
    }
  }

  private static void str(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    sb.append('"');
  }
}
