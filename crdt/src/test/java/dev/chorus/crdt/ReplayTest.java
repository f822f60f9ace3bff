package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Doc#replay} (rebuilding a replica from a durable log without conflict events) gives the
 * replica {@link Doc#apply} gives; reads computed once per state never go stale.
 */
class ReplayTest {

  @Test
  void replay_givesTheSameReplicaAsApply_inAnyCausalOrder() {
    for (int seed = 0; seed < 200; seed++) {
      Random rnd = new Random(seed);
      List<Change> log = randomHistory(rnd);
      Doc applied = new Doc("x");
      log.forEach(applied::apply);
      List<Change> shuffled = new ArrayList<>(log);
      Collections.shuffle(shuffled, rnd); // early changes wait for their dependencies
      Doc replayed = new Doc("x");
      List<Object> heard = new ArrayList<>();
      replayed.addListener((c, events) -> heard.addAll(events));
      shuffled.forEach(replayed::replay);
      assertEquals(applied.version(), replayed.version(), "seed " + seed);
      assertEquals(applied.stateHash(), replayed.stateHash(), "seed " + seed);
      assertEquals(applied.conflicts(), replayed.conflicts(), "seed " + seed);
      assertEquals(applied.history().size(), replayed.history().size(), "seed " + seed);
      assertEquals(List.of(), replayed.pending(), "seed " + seed);
      assertEquals(List.of(), heard, "replay reports no events");
    }
  }

  @Test
  void cachedReads_followEveryChange_andRefusedEditsLeaveThemRight() {
    Random rnd = new Random(42);
    RandomIntents intents = new RandomIntents(rnd);
    Doc d = new Doc("n1");
    d.edit(Author.human("setup"), null, 0, RandomIntents::seed);
    List<VersionVector> views = new ArrayList<>(List.of(d.version()));
    for (int step = 0; step < 400; step++) {
      String hashBefore = d.stateHash();
      RandomIntents.Places places = RandomIntents.Places.of(d.read());
      RandomIntents.Intent in = intents.next(places);
      VersionVector basedOn = views.get(rnd.nextInt(views.size()));
      try {
        // a read in the middle of an edit sees the edit so far, and is not kept
        d.edit(
            intents.author(),
            basedOn,
            step,
            e -> {
              in.body().accept(e);
              d.read();
              d.conflicts();
            });
      } catch (DocException e) {
        assertEquals(hashBefore, d.stateHash(), "a refused edit changed the state");
      }
      views.add(d.version());
      Doc fresh = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
      assertEquals(fresh.read(), d.read(), "step " + step);
      assertEquals(fresh.conflicts(), d.conflicts(), "step " + step);
      assertEquals(fresh.stateHash(), d.stateHash(), "step " + step);
    }
    assertThrows(UnsupportedOperationException.class, () -> d.conflicts().clear());
    Value.MapValue root = (Value.MapValue) d.read();
    assertThrows(UnsupportedOperationException.class, () -> root.entries().clear());
  }

  @Test
  void cachedHash_changesWithCompaction() {
    Doc d = new Doc("n1");
    d.edit(Author.human("a"), null, 0, e -> e.set(Path.of("k"), "v1"));
    VersionVector v1 = d.version();
    d.edit(Author.human("a"), v1, 0, e -> e.set(Path.of("k"), "v2"));
    d.edit(Author.human("b"), v1, 0, e -> e.set(Path.of("k"), "v3")); // a conflict
    String before = d.stateHash();
    assertTrue(d.conflicts().size() == 1);
    d.edit(Author.human("c"), null, 0, e -> e.set(Path.of("k"), "v4")); // resolves it
    assertNotEquals(before, d.stateHash());
    assertEquals(List.of(), d.conflicts());
    String settled = d.stateHash();
    d.compact(d.version());
    assertEquals(settled, d.stateHash(), "compaction changes nothing visible");
    assertEquals("v4", d.get(Path.of("k")));
  }

  /** Two replicas writing from stale views, their changes exchanged: a causal log of both. */
  private static List<Change> randomHistory(Random rnd) {
    RandomIntents intents = new RandomIntents(rnd);
    Doc[] docs = {new Doc("r0"), new Doc("r1")};
    List<Change> log = new ArrayList<>();
    Change base = docs[0].edit(Author.human("setup"), null, 0, RandomIntents::seed);
    docs[1].apply(base);
    log.add(base);
    List<List<VersionVector>> views = List.of(new ArrayList<>(), new ArrayList<>());
    views.get(0).add(docs[0].version());
    views.get(1).add(docs[1].version());
    for (int step = 0; step < 30; step++) {
      int r = rnd.nextInt(2);
      Doc d = docs[r];
      if (rnd.nextInt(4) == 0) {
        // deliver everything the other replica made
        for (Change c : docs[1 - r].history()) {
          d.apply(c);
        }
        views.get(r).add(d.version());
        continue;
      }
      RandomIntents.Places places = RandomIntents.Places.of(d.read());
      RandomIntents.Intent in = intents.next(places);
      VersionVector basedOn =
          rnd.nextInt(3) == 0 ? views.get(r).get(rnd.nextInt(views.get(r).size())) : d.version();
      try {
        Change c = d.edit(intents.author(), basedOn, step, in.body());
        if (c != null) {
          log.add(c);
        }
      } catch (DocException e) {
        // refused intents make no change
      }
      views.get(r).add(d.version());
    }
    return log;
  }
}
