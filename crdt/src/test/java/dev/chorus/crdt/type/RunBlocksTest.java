package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RunBlocks} against a plain list: runs' slots are not renumbered when something is put or
 * taken in front of them, so every way of reading the order (next, previous, order keys, visible
 * index) is checked after every step of random inserts, removals, split parts and hides.
 */
class RunBlocksTest {
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void randomEdits_readTheSameOrderAsAPlainList(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    RunBlocks blocks = new RunBlocks();
    List<Run> model = new ArrayList<>();
    long counter = 1;
    for (int step = 0; step < 3_000; step++) {
      int what = random.nextInt(10);
      if (model.isEmpty() || what < 5) {
        Run r = run(counter, 1 + random.nextInt(3));
        counter += r.len;
        int at = random.nextInt(model.size() + 1);
        blocks.insertBefore(at == model.size() ? null : model.get(at), r);
        model.add(at, r);
      } else if (what < 7) {
        // a split, as the sequence makes one: the left part hands its last atoms to the right
        Run left = model.get(random.nextInt(model.size()));
        if (left.len < 2) {
          left.len++; // typing onto it first
          blocks.counted(left, 1);
        }
        Run right = run(counter++, 1);
        right.visible = left.visible;
        left.len -= right.len;
        blocks.placeAfter(left, right);
        model.add(model.indexOf(left) + 1, right);
      } else if (what < 8) {
        blocks.remove(model.remove(random.nextInt(model.size())));
      } else {
        Run r = model.get(random.nextInt(model.size()));
        blocks.setVisible(r, !r.visible);
      }
      if (step % 50 == 0 || step > 2_900) {
        check(blocks, model, random, seed, step);
      }
    }
  }

  /**
   * An insert at the front of a block writes nothing into the runs after it (each list element is
   * its own run: renumbering them was 40 % of integrating one); they are found all the same.
   */
  @Test
  void insertInFrontOfABlock_leavesTheLaterRunsUntouched() {
    RunBlocks blocks = new RunBlocks();
    List<Run> model = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Run r = run(i + 1, 1);
      blocks.insertBefore(null, r);
      model.add(r);
    }
    int[] slots = model.stream().mapToInt(r -> r.slot).toArray();

    Run front = run(100, 1);
    blocks.insertBefore(model.get(0), front);
    model.add(0, front);

    for (int i = 1; i < model.size(); i++) {
      assertEquals(slots[i - 1], model.get(i).slot, "run " + i + " was renumbered");
    }
    check(blocks, model, new SplittableRandom(7), 0, 0);
  }

  private static Run run(long counter, int len) {
    Run r = new Run("r", counter, len, null, null);
    r.visible = true;
    return r;
  }

  private static void check(
      RunBlocks blocks, List<Run> model, SplittableRandom random, long seed, int step) {
    String where = "seed " + seed + ", step " + step;
    List<Run> seen = new ArrayList<>();
    blocks.forEachRun(seen::add);
    assertEquals(model, seen, where);
    assertEquals(model.size(), blocks.runCount(), where);
    int atoms = 0;
    int visible = 0;
    for (int i = 0; i < model.size(); i++) {
      Run r = model.get(i);
      atoms += r.len;
      visible += r.visible ? r.len : 0;
      assertSame(i + 1 < model.size() ? model.get(i + 1) : null, blocks.next(r), where);
      assertSame(i > 0 ? model.get(i - 1) : null, blocks.previous(r), where);
      if (i > 0) {
        assertTrue(blocks.order(model.get(i - 1)) < blocks.order(r), where);
      }
    }
    assertEquals(atoms, blocks.atomCount(), where);
    assertEquals(visible, blocks.visibleLength(), where);
    if (model.isEmpty()) {
      assertNull(blocks.first(), where);
      return;
    }
    assertSame(model.get(0), blocks.first(), where);
    assertSame(model.get(model.size() - 1), blocks.last(), where);
    for (int k = 0; k < 20 && visible > 0; k++) {
      int index = random.nextInt(visible);
      int rest = index;
      for (Run r : model) {
        if (r.visible && rest < r.len) {
          Sequence.Locate at = blocks.locateVisible(index);
          assertSame(r, at.run(), where);
          assertEquals(rest, at.offset(), where);
          break;
        }
        rest -= r.visible ? r.len : 0;
      }
    }
  }
}
