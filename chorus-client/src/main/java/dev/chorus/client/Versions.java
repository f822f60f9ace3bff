package dev.chorus.client;

/**
 * Version strings ({@code "n1:42,n2:7"}) are opaque to clients but for one question: is one at
 * least as new as another? A duplicate ack carries the version of its first answer, which must not
 * move a client's view back. Asked for every frame a client receives, so it reads the strings in
 * place instead of parsing them into maps.
 */
final class Versions {
  private Versions() {}

  /** Whether {@code a} includes everything {@code b} does. */
  static boolean dominates(String a, String b) {
    int n = b.length();
    for (int i = 0; i < n; ) {
      int comma = b.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int colon = b.lastIndexOf(':', end - 1);
      long need = Long.parseLong(b, colon + 1, end, 10);
      if (need > 0 && counter(a, b, i, colon) < need) {
        return false;
      }
      i = end + 1;
    }
    return true;
  }

  /** The counter of replica {@code key[from, to)} in version {@code v} (0 if absent). */
  private static long counter(String v, String key, int from, int to) {
    int len = to - from;
    int n = v.length();
    for (int i = 0; i < n; ) {
      int comma = v.indexOf(',', i);
      int end = comma < 0 ? n : comma;
      int colon = v.lastIndexOf(':', end - 1);
      if (colon - i == len && v.regionMatches(i, key, from, len)) {
        return Long.parseLong(v, colon + 1, end, 10);
      }
      i = end + 1;
    }
    return 0;
  }
}
