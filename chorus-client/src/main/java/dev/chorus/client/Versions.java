package dev.chorus.client;

import java.util.HashMap;
import java.util.Map;

/**
 * Version strings ({@code "n1:42,n2:7"}) are opaque to clients but for one question: is one at
 * least as new as another? A duplicate ack carries the version of its first answer, which must not
 * move a client's view back.
 */
final class Versions {
  private Versions() {}

  /** Whether {@code a} includes everything {@code b} does. */
  static boolean dominates(String a, String b) {
    Map<String, Long> va = parse(a);
    for (Map.Entry<String, Long> e : parse(b).entrySet()) {
      if (va.getOrDefault(e.getKey(), 0L) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Long> parse(String v) {
    Map<String, Long> m = new HashMap<>();
    if (v == null || v.isEmpty()) {
      return m;
    }
    for (String part : v.split(",")) {
      int colon = part.lastIndexOf(':');
      m.put(part.substring(0, colon), Long.parseLong(part.substring(colon + 1)));
    }
    return m;
  }
}
