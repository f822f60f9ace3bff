package dev.chorus.server.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.protocol.Values;
import java.util.ArrayDeque;

/**
 * Up to which version a session may compact: the versions it had at its recent snapshots, each with
 * the wall-clock time it was taken; the floor is the newest of them that is at least the lag old. A
 * writer whose view is older than the floor gets {@code stale_base} (and re-reads), so the lag is
 * how stale a view may be and still have its concurrent edits merged and its conflicts surfaced.
 *
 * <p>The marks are stored with each snapshot ({@link #encode}, {@link #restore}): a session that is
 * unloaded when idle and loaded again later still reaches a floor, instead of starting to count
 * again at every load. At most one mark per {@link #MARKS_PER_LAG}-th of the lag is kept, so what
 * is stored stays small. With a lag of 0 the floor trails one snapshot behind. Owned by the
 * session's context.
 */
final class CompactionFloor {
  /** Marks kept per lag: the floor is at most this fraction of the lag later than it could be. */
  static final int MARKS_PER_LAG = 64;

  private record Mark(VersionVector version, long atMillis) {}

  private final long lagMillis;
  private final ArrayDeque<Mark> marks = new ArrayDeque<>();

  CompactionFloor(long lagMillis) {
    this.lagMillis = lagMillis;
  }

  /**
   * Notes {@code version}, the session's version at a snapshot taken at {@code nowMillis}, and
   * returns the newest noted version at least the lag old (null if none is).
   */
  VersionVector next(VersionVector version, long nowMillis) {
    VersionVector floor = null;
    while (!marks.isEmpty() && nowMillis - marks.peekFirst().atMillis() >= lagMillis) {
      floor = marks.pollFirst().version();
    }
    Mark last = marks.peekLast();
    if (last == null || nowMillis - last.atMillis() >= lagMillis / MARKS_PER_LAG) {
      marks.addLast(new Mark(version, nowMillis));
    }
    return floor;
  }

  /** The marks as stored with a snapshot: {@code [[atMillis, "version"], ...]}, oldest first. */
  String encode() {
    ArrayNode out = Values.NODES.arrayNode();
    for (Mark m : marks) {
      out.addArray().add(m.atMillis()).add(m.version().toString());
    }
    return out.toString();
  }

  /**
   * Takes back the marks a snapshot was stored with (null: none). Unreadable marks are dropped: the
   * session then only compacts one lag later than it could.
   */
  void restore(String encoded) {
    marks.clear();
    if (encoded == null) {
      return;
    }
    try {
      for (JsonNode m : Values.MAPPER.readTree(encoded)) {
        marks.addLast(new Mark(VersionVector.parse(m.get(1).asText()), m.get(0).asLong()));
      }
    } catch (Exception e) {
      marks.clear();
    }
  }
}
