package dev.chorus.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.protocol.Values;
import org.junit.jupiter.api.Test;

/**
 * The floor is the newest snapshot version at least the lag old (with no lag, the previous one);
 * the marks survive being stored with a snapshot, and at most one per 64th of the lag is kept.
 */
class CompactionFloorTest {
  private static VersionVector v(long n) {
    return VersionVector.parse("n1:" + n);
  }

  @Test
  void theFloorIsTheNewestSnapshotVersionAtLeastTheLagOld() {
    CompactionFloor f = new CompactionFloor(1000);
    assertNull(f.next(v(10), 0), "nothing is old enough at the first snapshot");
    assertNull(f.next(v(20), 400));
    assertNull(f.next(v(30), 999), "the first is 999 ms old");
    assertEquals(v(20), f.next(v(40), 1500), "10 and 20 are old enough: the newer one");
    assertNull(f.next(v(50), 1600), "30 is 601 ms old; 10 and 20 were used up");
    assertEquals(v(50), f.next(v(60), 5000), "all old enough: the newest but this one");
  }

  @Test
  void withNoLag_theFloorTrailsOneSnapshotBehind() {
    CompactionFloor f = new CompactionFloor(0);
    assertNull(f.next(v(10), 0));
    assertEquals(v(10), f.next(v(20), 0));
    assertEquals(v(20), f.next(v(30), 1));
  }

  @Test
  void theMarksStoredWithASnapshot_carryOnAfterALoad() {
    CompactionFloor before = new CompactionFloor(1000);
    before.next(v(10), 0);
    before.next(v(20), 300);
    CompactionFloor after = new CompactionFloor(1000);
    after.restore(before.encode());
    assertEquals(v(20), after.next(v(30), 1300), "the load kept the marks of 0 and 300 ms");
    CompactionFloor fresh = new CompactionFloor(1000);
    assertNull(fresh.next(v(30), 1300), "without them it starts counting again");
  }

  @Test
  void unreadableMarks_startAgain() {
    CompactionFloor f = new CompactionFloor(0);
    f.restore("[[1,\"not a version\"]]");
    assertNull(f.next(v(10), 5));
    f.restore("{not json");
    assertNull(f.next(v(10), 5));
    f.restore(null);
    assertNull(f.next(v(10), 5));
  }

  @Test
  void atMostOneMarkPer64thOfTheLag() throws Exception {
    CompactionFloor f = new CompactionFloor(6400); // one mark per 100 ms
    for (int ms = 0; ms < 1000; ms += 10) {
      f.next(v(ms + 1), ms);
    }
    assertEquals(10, Values.MAPPER.readTree(f.encode()).size(), f.encode());
    assertEquals(v(901), f.next(v(9999), 7400), "the newest kept mark at least 6,400 ms old");
  }
}
