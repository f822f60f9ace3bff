package dev.chorus.server.session;

import dev.chorus.crdt.clock.VersionVector;
import java.util.ArrayDeque;

/**
 * Up to which version a session may compact: the versions it had at its recent snapshots, each with
 * when it was taken; the floor is the newest of them that is at least the lag old. A writer whose
 * view is older than the floor gets {@code stale_base} (and re-reads), so the lag is how stale a
 * view may be and still have its concurrent edits merged and its conflicts surfaced.
 *
 * <p>With a lag of 0 the floor trails one snapshot behind. Marks older than the floor are dropped,
 * so the queue holds at most the snapshots of one lag. Owned by the session's context.
 */
final class CompactionFloor {
  private record Mark(VersionVector version, long atNanos) {}

  private final long lagNanos;
  private final ArrayDeque<Mark> marks = new ArrayDeque<>();

  CompactionFloor(long lagMs) {
    this.lagNanos = lagMs * 1_000_000L;
  }

  /**
   * Notes {@code version}, the session's version at a snapshot taken at {@code nowNanos}, and
   * returns the newest noted version at least the lag old (null if none is).
   */
  VersionVector next(VersionVector version, long nowNanos) {
    VersionVector floor = null;
    while (!marks.isEmpty() && nowNanos - marks.peekFirst().atNanos() >= lagNanos) {
      floor = marks.pollFirst().version();
    }
    marks.addLast(new Mark(version, nowNanos));
    return floor;
  }
}
