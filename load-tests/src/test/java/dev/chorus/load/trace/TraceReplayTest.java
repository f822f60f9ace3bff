// Chorus text on real editing traces: sequential replays and a concurrent fork/merge replay.
package dev.chorus.load.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.codec.SnapshotCodec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays the bundled editing traces (see {@code traces/README.md}) through Chorus and requires the
 * final text to equal the trace's {@code endContent} exactly — text that real people typed, not our
 * own generator's.
 */
class TraceReplayTest {

  /**
   * The replay ends at {@code endContent}, and the snapshot a server stores once all of it is
   * stable (compacted) stays within its pinned size and loads to the same text. The pins guard the
   * compact sequence encoding: automerge-paper at most 130,000 bytes (Automerge's own is 129 KB;
   * format v2 took 373,023), seph-blog1 at what v3 gives (145,283) plus 1 %.
   */
  @ParameterizedTest
  @CsvSource({"automerge-paper, 130000", "seph-blog1, 146700"})
  void sequentialTraceEndsAtItsEndContent_andItsCompactedSnapshotStaysSmall(
      String name, int maxSnapshotBytes) {
    EditingTrace trace = EditingTrace.load(name);

    Doc doc = TraceReplay.replay(trace);

    assertSameText(trace.endContent(), TraceReplay.text(doc), name);
    doc.compact(doc.version());
    byte[] snapshot = SnapshotCodec.encode(doc);
    assertTrue(
        snapshot.length <= maxSnapshotBytes,
        name + ": compacted snapshot " + snapshot.length + " bytes > " + maxSnapshotBytes);
    Doc loaded = SnapshotCodec.decode(snapshot, "r2");
    assertSameText(trace.endContent(), TraceReplay.text(loaded), name + " loaded");
    assertEquals(doc.stateHash(), loaded.stateHash(), name + " loaded state hash");
  }

  /**
   * friendsforever: two agents typing at once. Each agent edits its own replica, which is brought
   * to exactly a transaction's parents before the transaction applies; merges happen where the
   * trace merges.
   */
  @Test
  void concurrentTraceMergesToItsEndContentAndConverges() {
    EditingTrace trace = EditingTrace.load("friendsforever");
    assertTrue(trace.concurrent());

    ConcurrentTraceReplay replay = ConcurrentTraceReplay.replay(trace);
    replay.exchangeAll();

    List<Doc> replicas = replay.replicas();
    assertEquals(trace.agentCount(), replicas.size());
    Doc first = replicas.get(0);
    assertSameText(trace.endContent(), TraceReplay.text(first), "friendsforever merged");
    for (Doc replica : replicas) {
      assertEquals(TraceReplay.text(first), TraceReplay.text(replica), "replicas' text");
      assertEquals(first.stateHash(), replica.stateHash(), "replicas' state hash");
      assertEquals(first.version(), replica.version(), "replicas' version");
    }
  }

  /** Compares long texts with a message that shows where they part, not two 100 kB strings. */
  private static void assertSameText(String expected, String actual, String what) {
    if (expected.equals(actual)) {
      return;
    }
    int at = 0;
    int limit = Math.min(expected.length(), actual == null ? 0 : actual.length());
    while (at < limit && expected.charAt(at) == actual.charAt(at)) {
      at++;
    }
    throw new AssertionError(
        what
            + ": text differs at char "
            + at
            + " (expected length "
            + expected.length()
            + ", actual "
            + (actual == null ? "null" : actual.length())
            + "): expected …"
            + snippet(expected, at)
            + "… but was …"
            + (actual == null ? "null" : snippet(actual, at))
            + "…");
  }

  private static String snippet(String text, int at) {
    return text.substring(Math.max(0, at - 20), Math.min(text.length(), at + 40));
  }
}
