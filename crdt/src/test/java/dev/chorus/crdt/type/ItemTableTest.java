package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.chorus.crdt.clock.OpId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ItemTable} against a {@code HashMap} over random puts, removals and lookups. */
class ItemTableTest {
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void agreesWithAHashMap_overRandomPutsAndRemovals(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ItemTable table = new ItemTable();
    Map<OpId, Item> reference = new HashMap<>();
    List<OpId> ids = new ArrayList<>();
    for (int step = 0; step < 20_000; step++) {
      int what = random.nextInt(10);
      if (what < 5 || ids.isEmpty()) {
        // consecutive counters of a few replicas, as edits make them, and some far apart
        OpId id =
            new OpId(
                random.nextInt(4) == 0 ? random.nextLong(1, 1L << 40) : step + 1,
                "r" + random.nextInt(3));
        Item item = new Item(id);
        table.put(item);
        if (reference.put(id, item) == null) {
          ids.add(id);
        }
      } else if (what < 8) {
        OpId id = ids.remove(random.nextInt(ids.size()));
        assertSame(reference.remove(id), table.remove(id));
        assertSame(null, table.remove(id));
      } else {
        OpId id = ids.get(random.nextInt(ids.size()));
        assertSame(reference.get(id), table.get(id));
      }
      assertEquals(reference.size(), table.size());
    }
    for (OpId id : reference.keySet()) {
      assertSame(reference.get(id), table.get(id));
    }
    assertEquals(new HashSet<>(reference.values()), new HashSet<>(table.values()));
    assertEquals(reference.size(), table.values().size());
    assertSame(null, table.get(new OpId(1L << 50, "r0")));
  }
}
