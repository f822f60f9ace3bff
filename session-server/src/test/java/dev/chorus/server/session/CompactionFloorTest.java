package dev.chorus.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.crdt.clock.VersionVector;
import org.junit.jupiter.api.Test;

/** The floor is the newest snapshot version at least the lag old; with no lag, the previous one. */
class CompactionFloorTest {
  private static final long MS = 1_000_000L;

  private static VersionVector v(long n) {
    return VersionVector.parse("n1:" + n);
  }

  @Test
  void theFloorIsTheNewestSnapshotVersionAtLeastTheLagOld() {
    CompactionFloor f = new CompactionFloor(1000);
    assertNull(f.next(v(10), 0), "nothing is old enough at the first snapshot");
    assertNull(f.next(v(20), 400 * MS));
    assertNull(f.next(v(30), 999 * MS), "the first is 999 ms old");
    assertEquals(v(20), f.next(v(40), 1500 * MS), "10 and 20 are old enough: the newer one");
    assertNull(f.next(v(50), 1600 * MS), "30 is 601 ms old; 10 and 20 were used up");
    assertEquals(v(50), f.next(v(60), 5000 * MS), "all old enough: the newest but this one");
  }

  @Test
  void withNoLag_theFloorTrailsOneSnapshotBehind() {
    CompactionFloor f = new CompactionFloor(0);
    assertNull(f.next(v(10), 0));
    assertEquals(v(10), f.next(v(20), 0));
    assertEquals(v(20), f.next(v(30), 1));
  }
}
