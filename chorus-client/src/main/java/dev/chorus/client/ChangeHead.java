package dev.chorus.client;

/**
 * The head of a {@code change} frame: the frame's text without its {@code ops} and {@code changes}
 * members, found by one scan of the characters (strings, escapes and nesting are followed; nothing
 * is parsed into values). A listener that only counts or times changes (by {@code batchId}, {@code
 * author}, {@code version}) then pays for parsing a few dozen characters, not the whole change —
 * a load generator receives every change of a session, and parsing frames into trees was about a
 * third of its event loop.
 *
 * <p>Only frames that start with {@code {"type":"change"}, as the server writes them, are cut;
 * anything else (another type, the type later in the object, text that does not scan) gets {@code
 * null} and is parsed whole, so a malformed frame is still reported as one.
 */
final class ChangeHead {
  private static final String PREFIX = "{\"type\":\"change\"";

  private ChangeHead() {}

  /** {@code frame} without the top-level {@code ops} and {@code changes}, or null (see above). */
  static String of(String frame) {
    if (!frame.startsWith(PREFIX)) {
      return null;
    }
    StringBuilder head = new StringBuilder(160).append(PREFIX);
    int i = PREFIX.length();
    int n = frame.length();
    while (true) {
      i = skipSpace(frame, i);
      if (i >= n) {
        return null;
      }
      char c = frame.charAt(i);
      if (c == '}') {
        return skipSpace(frame, i + 1) == n ? head.append('}').toString() : null;
      }
      if (c != ',') {
        return null;
      }
      int keyStart = skipSpace(frame, i + 1);
      int keyEnd = skipString(frame, keyStart);
      if (keyEnd < 0) {
        return null;
      }
      int colon = skipSpace(frame, keyEnd);
      if (colon >= n || frame.charAt(colon) != ':') {
        return null;
      }
      int valueEnd = skipValue(frame, skipSpace(frame, colon + 1));
      if (valueEnd < 0) {
        return null;
      }
      if (!isBody(frame, keyStart, keyEnd)) {
        head.append(frame, i, valueEnd);
      }
      i = valueEnd;
    }
  }

  /**
   * Whether the key at {@code [from, to)} (quotes included) is {@code "ops"} or {@code "changes"}.
   */
  private static boolean isBody(String s, int from, int to) {
    return s.startsWith("\"ops\"", from) && to - from == 5
        || s.startsWith("\"changes\"", from) && to - from == 9;
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      i++;
    }
    return i;
  }

  /** The index after the string starting at {@code i}, or -1 if there is none. */
  private static int skipString(String s, int i) {
    if (i >= s.length() || s.charAt(i) != '"') {
      return -1;
    }
    for (i++; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i + 1;
      }
    }
    return -1;
  }

  /** The index after the value starting at {@code i}, or -1 if it does not end. */
  private static int skipValue(String s, int i) {
    if (i >= s.length()) {
      return -1;
    }
    char first = s.charAt(i);
    if (first == '"') {
      return skipString(s, i);
    }
    if (first != '{' && first != '[') {
      // a number, true, false or null: up to the next delimiter
      while (i < s.length() && ",}] \t\n\r".indexOf(s.charAt(i)) < 0) {
        i++;
      }
      return i;
    }
    int depth = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        i = skipString(s, i);
        if (i < 0) {
          return -1;
        }
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return i + 1;
        }
      }
      i++;
    }
    return -1;
  }
}
