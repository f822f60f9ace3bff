package dev.chorus.server.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Finds strings holding an unpaired UTF-16 surrogate. JSON lets a client write one as an escape
 * (backslash, {@code u}, {@code D800}) and Jackson decodes it without complaint, but such a string
 * is not Unicode text: it cannot be encoded as UTF-8 (the store, the other clients and the CRDT's
 * text would each treat it differently), so the protocol refuses it at the frame decoder.
 */
final class LoneSurrogates {
  private LoneSurrogates() {}

  /** Where the first string (value or key) with a lone surrogate is, or null if there is none. */
  static String find(JsonNode n) {
    if (n.isTextual()) {
      return has(n.textValue()) ? "a string value" : null;
    }
    if (n.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = n.properties().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (has(e.getKey())) {
          return "an object key";
        }
        String inner = find(e.getValue());
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (n.isArray()) {
      for (JsonNode item : n) {
        String inner = find(item);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  /** Whether {@code s} has a high surrogate not followed by a low one, or a low one alone. */
  static boolean has(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
