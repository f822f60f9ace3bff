package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.clock.VersionVector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compaction once ops are causally stable: retained state stays bounded on long churn, nothing
 * visible changes, and writers below the horizon are told to re-read.
 */
class CompactionTest {
  static final Author A = Author.human("alice");
  static final Author B = Author.agent("bot");

  @Test
  void longChurnOfCards_keepsRetainedStateBounded() {
    Doc d = new Doc("n1");
    d.edit(A, null, 0, e -> e.set(Path.of("cards"), List.of()));
    DocStats early = null;
    for (int i = 0; i < 3000; i++) {
      int n = i;
      String[] id = new String[1];
      d.edit(
          A,
          null,
          i,
          e -> {
            id[0] =
                e.append(
                    Path.of("cards"),
                    Map.of("title", "card " + n, "labels", List.of("a", "b"), "votes", 0));
            e.set(Path.of("cards", id[0], "notes"), Container.TEXT);
            e.spliceText(Path.of("cards", id[0], "notes"), 0, 0, "some text to churn " + n);
            e.set(Path.of("key" + (n % 5)), "value " + n);
          });
      d.edit(B, null, i, e -> e.set(Path.of("cards", id[0], "title"), "edited"));
      d.edit(A, null, i, e -> e.delete(Path.of("cards", id[0])));
      if (i % 100 == 99) {
        d.compact(d.version());
        if (i == 299) {
          early = d.stats();
        }
      }
    }
    DocStats late = d.stats();
    // Content of deleted cards, superseded values and history are gone for good ...
    assertEquals(early.objects(), late.objects(), "containers");
    assertEquals(early.elements(), late.elements(), "elements");
    assertEquals(early.registerValues(), late.registerValues(), "register values");
    assertEquals(0, late.historyChanges());
    assertEquals(0, late.tombstoneChars());
    // ... and what stays is the id of each deleted card's list position (as Yjs keeps its
    // deleted items), one atom per card, so later inserts can still name their neighbours.
    assertEquals(3000, late.tombstoneAtoms());
    assertEquals(List.of(), d.get(Path.of("cards")));
  }

  @Test
  void compaction_changesNothingVisible_andRefusesWritersBelowTheHorizon() {
    Doc n1 = new Doc("n1");
    n1.edit(A, null, 0, e -> e.set(Path.of("tasks"), Map.of("t1", Map.of("status", "todo"))));
    VersionVector old = n1.version();
    n1.edit(A, old, 1, e -> e.set(Path.of("tasks", "t1", "status"), "done"));
    n1.edit(B, old, 2, e -> e.set(Path.of("tasks", "t1", "status"), "cancelled"));
    String hash = n1.stateHash();
    n1.compact(n1.version());
    assertEquals(hash, n1.stateHash());
    assertEquals(1, n1.conflicts().size(), "open conflicts survive compaction");
    DocException stale =
        assertThrows(
            DocException.class,
            () -> n1.edit(B, old, 3, e -> e.set(Path.of("tasks", "t1", "status"), "x")));
    assertEquals(DocException.Code.STALE_BASE, stale.code());
    assertEquals(
        DocException.Code.STALE_BASE,
        assertThrows(DocException.class, () -> n1.changesSince(old)).code());
    n1.edit(B, null, 4, e -> e.set(Path.of("tasks", "t1", "status"), "done"));
    assertTrue(n1.conflicts().isEmpty());
  }

  @Test
  void replicasCompactingAtTheStableVersion_keepConverging() {
    Doc n1 = new Doc("n1");
    Doc n2 = new Doc("n2");
    n1.edit(A, null, 0, e -> e.set(Path.of("l"), List.of("a", "b", "c")));
    n1.history().forEach(n2::apply);
    for (int round = 0; round < 20; round++) {
      int r = round;
      n1.edit(A, null, r, e -> e.append(Path.of("l"), "n1-" + r));
      n2.edit(B, null, r, e -> e.set(Path.of("k"), r));
      List<dev.chorus.crdt.op.Change> from1 = n1.changesSince(n2.version());
      List<dev.chorus.crdt.op.Change> from2 = n2.changesSince(n1.version());
      from1.forEach(n2::apply);
      from2.forEach(n1::apply);
      VersionVector stable = n1.version().meet(n2.version());
      n1.compact(stable);
      n2.compact(stable);
      assertEquals(n1.stateHash(), n2.stateHash());
    }
  }
}
