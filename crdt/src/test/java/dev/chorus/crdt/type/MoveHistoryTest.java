package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.conflict.ConflictKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an op on a list element looks through does not grow with the element's moves: every move
 * leaves a retired position behind, and only writers with an older view may still name one. Counts,
 * not timings.
 */
class MoveHistoryTest {
  static final Author A = Author.human("alice");
  static final Author B = Author.agent("bot");
  static final Path TODO = Path.of("todo");

  /** A board with cards a, b and c; returns their ids. */
  private static String[] board(Doc d) {
    String[] ids = new String[3];
    d.edit(A, null, 0, e -> e.set(TODO, List.of()));
    d.edit(
        A,
        null,
        0,
        e -> {
          ids[0] = e.append(TODO, "a");
          ids[1] = e.append(TODO, "b");
          ids[2] = e.append(TODO, "c");
        });
    return ids;
  }

  private static void swap(Doc d, String[] ids, int times) {
    for (int i = 0; i < times; i++) {
      String after = ids[i % 2 == 0 ? 2 : 1];
      d.edit(A, null, 0, e -> e.move(TODO.child(ids[0]), TODO, after));
    }
  }

  private static Register positions(Doc d, String id) {
    return d.internalState().item(OpId.parse(id)).positions;
  }

  @Test
  void aMovedElementScansOnePositionHowEverOftenItMoved() {
    Doc d = new Doc("n1");
    String[] ids = board(d);
    swap(d, ids, 1000);
    Register reg = positions(d, ids[0]);
    assertEquals(1001, reg.entries.size(), "every position is kept for older views");
    assertEquals(1, reg.scanned().size(), "a look at the current state scans the live one only");
    assertEquals(List.of("b", "a", "c"), values(d));

    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(1, positions(back, ids[0]).scanned().size(), "the same after a snapshot load");
    assertEquals(d.stateHash(), back.stateHash());
  }

  @Test
  void aWriterWithAnOlderViewStillNamesThePositionItSaw() {
    Doc d = new Doc("n1");
    String[] ids = board(d);
    VersionVector old = d.version();
    swap(d, ids, 3);
    // The bot saw a at its first position only, which three moves have retired since: its delete
    // names that position, so the moves it did not see keep the card (delete vs edit).
    d.edit(B, old, 0, e -> e.delete(TODO.child(ids[0])));
    assertEquals(List.of("b", "c", "a"), values(d));
    assertEquals(1, d.conflicts().size());
    assertEquals(ConflictKind.DELETE_VS_EDIT, d.conflicts().get(0).kind());
    // That delete landed on a moved-away position: it counts for conflicts again, once.
    assertEquals(2, positions(d, ids[0]).scanned().size());

    // A move from the old view competes with the moves it did not see.
    d.edit(B, old, 0, e -> e.move(TODO.child(ids[0]), TODO, null));
    assertEquals(
        List.of(ConflictKind.DELETE_VS_EDIT, ConflictKind.MOVE_VS_MOVE),
        d.conflicts().stream().map(c -> c.kind()).sorted().toList());
  }

  @Test
  void aFailedEditPutsTheScannedPositionsBack() {
    Doc d = new Doc("n1");
    String[] ids = board(d);
    swap(d, ids, 2);
    assertThrows(
        DocException.class,
        () ->
            d.edit(
                A,
                null,
                0,
                e -> {
                  e.move(TODO.child(ids[0]), TODO, ids[2]);
                  e.move(TODO.child(ids[0]), TODO, "99@nowhere");
                }));
    Register reg = positions(d, ids[0]);
    assertEquals(3, reg.entries.size());
    assertEquals(List.of(reg.entries.get(2)), reg.scanned());
  }

  private static List<?> values(Doc d) {
    return (List<?>) d.get(TODO);
  }
}
