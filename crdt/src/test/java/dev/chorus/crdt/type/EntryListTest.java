package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EntryList} against an {@code ArrayList}: adds at the end and anywhere, removals by index
 * and by value (the first inline value included), sets — the same elements in the same order after
 * every step, across the size where the inline value meets the array.
 */
class EntryListTest {
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void randomAddsAndRemoves_asAnArrayList(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Entry> list = new EntryList();
    List<Entry> model = new ArrayList<>();
    for (int step = 0; step < 4_000; step++) {
      int what = random.nextInt(10);
      if (what < 3 || model.isEmpty()) {
        Entry e = entry(step);
        list.add(e);
        model.add(e);
      } else if (what < 5) {
        int at = random.nextInt(model.size() + 1);
        Entry e = entry(step);
        list.add(at, e);
        model.add(at, e);
      } else if (what < 7) {
        int at = random.nextInt(model.size());
        assertEquals(model.remove(at), list.remove(at));
      } else if (what < 9) {
        Entry e = model.get(random.nextInt(model.size()));
        assertEquals(model.remove(e), list.remove(e));
      } else {
        int at = random.nextInt(model.size());
        Entry e = entry(step);
        assertEquals(model.set(at, e), list.set(at, e));
      }
      assertEquals(model, list, "after step " + step);
      if (model.size() > 6) {
        // keep it around the sizes registers have, where the inline value matters
        model.clear();
        list.clear();
      }
    }
  }

  @Test
  void indexesOutsideTheList_throw() {
    List<Entry> list = new EntryList();
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(0));
    assertThrows(IndexOutOfBoundsException.class, () -> list.add(1, entry(1)));
    list.add(entry(1));
    assertThrows(IndexOutOfBoundsException.class, () -> list.get(1));
    assertThrows(IndexOutOfBoundsException.class, () -> list.remove(1));
  }

  private static Entry entry(int n) {
    return new Entry(new OpId(n, "r"), Author.human("a"), n, null, null);
  }
}
