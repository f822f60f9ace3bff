package dev.chorus.crdt.type;

import java.util.Arrays;

/**
 * Every character of a text, in the order it arrived, one Unicode code point per slot: a text's
 * atoms are code points (an emoji is one atom, one id, one splice position), so a run's offset is
 * its slot. Runs point into it, so splitting a run copies nothing and typing appends in place.
 */
final class TextArena {
  private int[] cps = new int[64];
  private int size;

  int length() {
    return size;
  }

  /** Appends the code points of {@code s}; returns how many. */
  int append(String s) {
    int n = s.length();
    if (size + n > cps.length) {
      cps = Arrays.copyOf(cps, Math.max(cps.length * 2, size + n));
    }
    int start = size;
    for (int i = 0; i < n; ) {
      int cp = s.codePointAt(i);
      cps[size++] = cp;
      i += Character.charCount(cp);
    }
    return size - start;
  }

  /** Forgets everything from {@code length} on (the undo of an append). */
  void truncate(int length) {
    size = length;
  }

  void appendTo(StringBuilder sb, int at, int len) {
    for (int i = at; i < at + len; i++) {
      sb.appendCodePoint(cps[i]);
    }
  }

  String substring(int at, int len) {
    return new String(cps, at, len);
  }

  /** Appends {@code len} code points of this arena, from {@code at}, to {@code to}. */
  void copyTo(TextArena to, int at, int len) {
    if (to.size + len > to.cps.length) {
      to.cps = Arrays.copyOf(to.cps, Math.max(to.cps.length * 2, to.size + len));
    }
    System.arraycopy(cps, at, to.cps, to.size, len);
    to.size += len;
  }
}
