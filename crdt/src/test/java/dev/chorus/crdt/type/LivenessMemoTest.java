package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every write to a key asks after each value the key ever held (did its writer see all of it?).
 * Once a retirement covered a value's subtree, the answer is remembered until an op inside that
 * subtree: counts, not timings — and a concurrent edit inside a remembered-dead value still keeps
 * it alive (edit wins), exactly as on a replica that never remembered anything.
 */
class LivenessMemoTest {
  static final Author A = Author.human("alice");
  static final Author B = Author.agent("bot");
  static final Path CARD = Path.of("card");

  private static long checks(Doc d) {
    return d.internalState().liveness.coverageChecks;
  }

  @Test
  void aKeyReplacedManyTimes_checksEachPastValueOnce() {
    Doc d = new Doc("n1");
    for (int i = 0; i < 200; i++) {
      int n = i;
      d.edit(A, null, 0, e -> e.set(CARD, Map.of("seq", n, "title", "card " + n)));
    }
    long before = checks(d);
    d.edit(A, null, 0, e -> e.set(CARD, Map.of("seq", 200, "title", "card 200")));
    // the value it replaces is checked for the first time; the 199 before it are remembered
    assertTrue(checks(d) - before <= 2, "checks for one more write: " + (checks(d) - before));
    assertEquals(Map.of("seq", 200L, "title", "card 200"), d.get(CARD));
  }

  @Test
  void aConcurrentEditInsideARememberedDeadValue_keepsItAlive_likeOnAFreshReplica() {
    Doc a = new Doc("a");
    List<Change> log = new ArrayList<>();
    log.add(a.edit(A, null, 0, e -> e.set(CARD, Map.of("title", "first"))));
    VersionVector seenByBot = a.version();
    Doc b = new Doc("b");
    log.forEach(b::apply);
    // alice replaces the card again and again: the first value is remembered dead
    for (int i = 0; i < 5; i++) {
      int n = i;
      log.add(a.edit(A, null, 0, e -> e.set(CARD, Map.of("title", "v" + n))));
    }
    // the bot, not having seen any replacement, edits inside the first value
    Change edit = b.edit(B, seenByBot, 0, e -> e.set(CARD.child("title"), "bot's title"));
    a.apply(edit);
    log.add(edit);

    Doc fresh = new Doc("c");
    log.forEach(fresh::apply);
    assertEquals(fresh.stateHash(), a.stateHash(), "the memo changed no decision");
    assertEquals(1, a.conflicts().size(), "the edited value lives on beside the newest one");
    assertEquals(fresh.conflicts().size(), a.conflicts().size());
  }
}
