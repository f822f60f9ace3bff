package dev.chorus.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Snapshots come {@code --snapshot-every} changes apart while the history is short (a compaction
 * shortens it), else half the history the last one held apart: a history that grows (no compaction
 * yet) must not make the snapshots' total cost grow with the square of the changes. Counted on a
 * real document; nothing is written (take only captures).
 */
class SnapshotSpacingTest {
  private static final Author ALICE = Author.human("alice");

  /** The number of changes after which each snapshot was taken, for {@code changes} changes. */
  private static List<Integer> snapshotsAfter(int changes, String... flags) {
    ServerConfig config = ServerConfig.parse(flags, Map.of());
    Doc doc = new Doc("n1");
    Metrics metrics = new Metrics();
    Snapshots snapshots =
        new Snapshots("s", doc, null, null, null, metrics, config, () -> false, null);
    List<Integer> at = new ArrayList<>();
    for (int i = 1; i <= changes; i++) {
      int n = i;
      doc.edit(ALICE, doc.version(), n, e -> e.set(Path.ROOT.child("k" + (n % 7)), n));
      snapshots.counted(1, 1);
      if (snapshots.due()) {
        snapshots.take(i);
        at.add(i);
      }
    }
    // every capture is timed: the session's writes wait for it
    assertEquals(at.size(), metrics.registry().get("chorus.snapshot.capture").timer().count());
    return at;
  }

  @Test
  void theFirstAfterSnapshotEveryChanges_thenNoCloserThanThat() {
    assertEquals(
        List.of(10, 20, 30, 45),
        snapshotsAfter(50, "--snapshot-every", "10", "--snapshot-every-ops", "0"));
  }

  @Test
  void thenHalfTheHistoryApart_soTheirTotalCostGrowsWithTheChangesNotTheirSquare() {
    List<Integer> at = snapshotsAfter(2000, "--snapshot-every", "10", "--snapshot-every-ops", "0");
    // fixed spacing would take 200 snapshots; half the history apart, each 1.5 times the last
    assertEquals(List.of(10, 20, 30, 45, 67, 100, 150, 225, 337, 505, 757, 1135, 1702), at);
    // the history each snapshot holds, summed: what they cost in all (fixed spacing: 201,000; a
    // quarter of the history apart, the spacing before: 8,541 in 21 snapshots)
    long held = at.stream().mapToLong(Integer::longValue).sum();
    assertTrue(held < 3 * 2000, "held " + held + " at " + at);
    // and what a load after a crash replays after the last one stays within half what it decodes
    int last = at.get(at.size() - 1);
    assertTrue(2000 - last <= last / 2, "last at " + last);
  }

  @Test
  void snapshotEveryOpsStillBoundsWhatALoadReplays() {
    List<Integer> at =
        snapshotsAfter(2000, "--snapshot-every", "10", "--snapshot-every-ops", "100");
    for (int i = 1; i < at.size(); i++) {
      assertTrue(at.get(i) - at.get(i - 1) <= 100, "snapshots at " + at);
    }
  }
}
