package dev.chorus.crdt;

import java.util.ArrayList;
import java.util.List;

/**
 * A path from the document root: map keys, and element ids where a step enters a list.
 *
 * <p>Text form {@code "tasks/t1/status"} or {@code "board/columns/3@n1/cards/9@n2/title"}; like
 * JSON Pointer, {@code ~1} escapes {@code /} and {@code ~0} escapes {@code ~} inside a segment. The
 * empty string (or {@code "/"}) is the root.
 */
public record Path(List<String> segments) {

  public static final Path ROOT = new Path(List.of());

  public Path {
    segments = List.copyOf(segments);
  }

  public static Path of(String... segments) {
    return new Path(List.of(segments));
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException on an empty segment or a bad escape
   */
  public static Path parse(String s) {
    if (s == null) {
      throw new IllegalArgumentException("path is null");
    }
    String t = s.startsWith("/") ? s.substring(1) : s;
    if (t.isEmpty()) {
      return ROOT;
    }
    List<String> segs = new ArrayList<>();
    for (String raw : t.split("/", -1)) {
      if (raw.isEmpty()) {
        throw new IllegalArgumentException("empty segment in path: " + s);
      }
      segs.add(unescape(raw, s));
    }
    return new Path(segs);
  }

  private static String unescape(String raw, String whole) {
    if (raw.indexOf('~') < 0) {
      return raw;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '~') {
        sb.append(c);
        continue;
      }
      char n = i + 1 < raw.length() ? raw.charAt(++i) : ' ';
      if (n == '0') {
        sb.append('~');
      } else if (n == '1') {
        sb.append('/');
      } else {
        throw new IllegalArgumentException("bad ~ escape in path: " + whole);
      }
    }
    return sb.toString();
  }

  public Path child(String segment) {
    List<String> s = new ArrayList<>(segments);
    s.add(segment);
    return new Path(s);
  }

  public boolean isRoot() {
    return segments.isEmpty();
  }

  public Path parent() {
    if (segments.isEmpty()) {
      throw new IllegalStateException("the root has no parent");
    }
    return new Path(segments.subList(0, segments.size() - 1));
  }

  public String last() {
    return segments.get(segments.size() - 1);
  }

  /** Whether this path equals {@code other} or lies under it. */
  public boolean startsWith(Path other) {
    return other.segments.size() <= segments.size()
        && segments.subList(0, other.segments.size()).equals(other.segments);
  }

  /** Whether one of the two paths contains the other (a change to one touches the other). */
  public boolean overlaps(Path other) {
    return startsWith(other) || other.startsWith(this);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (String seg : segments) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(seg.replace("~", "~0").replace("/", "~1"));
    }
    return sb.toString();
  }
}
