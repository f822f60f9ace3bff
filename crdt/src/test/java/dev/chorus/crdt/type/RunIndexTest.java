package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RunIndex} against a {@code TreeMap}: runs appended at the end (typing, list inserts),
 * split parts put in the middle of full blocks, removals emptying blocks — every floor lookup, at
 * and around each key, agrees after every step.
 */
class RunIndexTest {
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void randomPutsAndRemoves_floorAsATreeMap(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    RunIndex index = new RunIndex();
    TreeMap<Long, Run> model = new TreeMap<>();
    List<Run> present = new ArrayList<>();
    long next = 1;
    for (int step = 0; step < 6_000; step++) {
      int what = random.nextInt(10);
      Run r;
      if (what < 4 || model.isEmpty()) {
        // appended: a new run of this replica starts above all of its runs
        r = new Run("a", next, 1, null, null);
        next += 10;
      } else if (what < 8) {
        // a split part or a late run: a free counter somewhere below the top
        long k = 1 + random.nextLong(next);
        if (model.containsKey(k)) {
          continue;
        }
        r = new Run("a", k, 1, null, null);
      } else {
        Run gone = present.remove(random.nextInt(present.size()));
        index.remove(gone);
        model.remove(gone.counter);
        check(index, model, gone.counter, next);
        continue;
      }
      index.put(r);
      model.put(r.counter, r);
      present.add(r);
      check(index, model, r.counter, next);
    }
    while (!present.isEmpty()) {
      Run gone = present.remove(present.size() - 1);
      index.remove(gone);
      model.remove(gone.counter);
      check(index, model, gone.counter, next);
    }
    assertNull(index.floor(next));
  }

  private static void check(RunIndex index, TreeMap<Long, Run> model, long near, long top) {
    for (long k : new long[] {0, near - 1, near, near + 1, top}) {
      Map.Entry<Long, Run> e = model.floorEntry(k);
      assertSame(e == null ? null : e.getValue(), index.floor(k), "floor(" + k + ")");
    }
  }
}
