package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.crdt.clock.VersionVector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failures the replica simulation found, shrunk by hand and kept as named tests. */
class RegressionTest {
  static final Author A = Author.human("alice");
  static final Author B = Author.agent("bot");

  /**
   * Seed 25: an edit based on a stale view inserted next to a list position its writer had not
   * seen; another replica could receive it first. Changes now carry the recording replica's full
   * version as their delivery dependency, apart from what the writer saw.
   */
  @Test
  void staleViewInsert_nextToUnseenPosition_appliesOnEveryReplica() {
    Doc n1 = new Doc("n1");
    String[] a = new String[1];
    n1.edit(A, null, 1, e -> a[0] = firstOf(e));
    VersionVector v1 = n1.version();
    Doc n2 = new Doc("n2");
    n1.history().forEach(n2::apply);
    n2.edit(B, null, 2, e -> e.insert(Path.of("l"), a[0], "unseen by alice"));
    n2.history().forEach(n1::apply);
    // alice still looks at v1 and inserts after "a": the right neighbour is n2's element.
    var c = n1.edit(A, v1, 3, e -> e.insert(Path.of("l"), a[0], "alice"));
    Doc n3 = new Doc("n3");
    n3.apply(c); // arrives first: must wait, not fail
    n1.history().forEach(n3::apply);
    assertEquals(n1.toPlain(), n3.toPlain());
    assertEquals(n1.stateHash(), n3.stateHash());
  }

  /**
   * Found while cutting the replay's allocation: an edit typed a run, typed inside it (splitting
   * it) and then failed; the rollback removed the run's left part only and left "bc" in the text.
   */
  @Test
  void rolledBackEdit_thatSplitItsOwnTypedRun_leavesNothingBehind() {
    Doc d = new Doc("n1");
    Path t = Path.of("t");
    d.edit(A, null, 1, e -> e.set(t, Container.TEXT));
    d.edit(A, null, 2, e -> e.spliceText(t, 0, 0, "hello"));
    String hash = d.stateHash();
    assertThrows(
        DocException.class,
        () ->
            d.edit(
                A,
                null,
                3,
                e -> {
                  e.spliceText(t, 5, 0, "abc");
                  e.spliceText(t, 6, 0, "X"); // inside "abc": splits it
                  e.spliceText(t, 2, 1, ""); // inside "hello": splits it too
                  e.spliceText(t, 99, 0, "out of range");
                }));
    assertEquals("hello", d.get(t));
    assertEquals(hash, d.stateHash());
    d.edit(A, null, 4, e -> e.spliceText(t, 5, 0, "!"));
    assertEquals("hello!", d.get(t));
    Doc other = new Doc("n2");
    d.history().forEach(other::apply);
    assertEquals(d.stateHash(), other.stateHash());
  }

  /**
   * A typed run's chars are taken back by the run's own inverse (not one of their own): after a
   * rolled-back edit that extended a run and started new ones, typing goes on in the same run, as
   * on a replica where the edit never happened.
   */
  @Test
  void rolledBackTyping_takesItsCharsBack_soTypingExtendsTheRunAgain() {
    Path t = Path.of("t");
    Doc failed = new Doc("n1");
    Doc clean = new Doc("n1");
    for (Doc d : List.of(failed, clean)) {
      d.edit(A, null, 1, e -> e.set(t, Container.TEXT));
      d.edit(A, null, 2, e -> e.spliceText(t, 0, 0, "hello"));
    }
    assertThrows(
        DocException.class,
        () ->
            failed.edit(
                A,
                null,
                3,
                e -> {
                  e.spliceText(t, 5, 0, "abc"); // extends "hello"
                  e.spliceText(t, 0, 0, "X"); // a new run
                  e.spliceText(t, 99, 0, "out of range");
                }));
    for (Doc d : List.of(failed, clean)) {
      d.edit(A, null, 4, e -> e.spliceText(t, 5, 0, "!"));
    }
    assertEquals("hello!", failed.get(t));
    assertEquals(clean.stats().sequenceRuns(), failed.stats().sequenceRuns());
  }

  /**
   * A new element's own value, position and aggregate are not logged for rollback (issue 13, eighth
   * pass): a rolled-back edit that inserted elements, then set, moved and filled them, leaves the
   * replica as one where it never happened — the same state, and the same after both go on.
   */
  @Test
  void rolledBackEdit_thatInsertedSetAndMovedNewElements_leavesNothingBehind() {
    Path todo = Path.of("todo");
    Path done = Path.of("done");
    Doc failed = new Doc("n1");
    Doc clean = new Doc("n1");
    String[] first = new String[1];
    for (Doc d : List.of(failed, clean)) {
      d.edit(
          A,
          null,
          1,
          e -> {
            e.set(todo, Container.LIST);
            e.set(done, Container.LIST);
            first[0] = e.append(todo, "a");
            e.append(done, "b");
          });
    }
    assertThrows(
        DocException.class,
        () ->
            failed.edit(
                A,
                null,
                2,
                e -> {
                  String x = e.insert(todo, first[0], "x");
                  e.set(todo.child(x), "x again");
                  String y = e.insert(todo, x, Map.of("k", 1L));
                  e.set(todo.child(y).child("k"), 2L);
                  e.move(todo.child(x), done, null);
                  e.delete(todo.child(y));
                  e.move(todo.child("9@nowhere"), done, null);
                }));
    assertEquals(clean.toPlain(), failed.toPlain());
    assertEquals(clean.stateHash(), failed.stateHash());
    for (Doc d : List.of(failed, clean)) {
      d.edit(A, null, 3, e -> e.insert(todo, first[0], "after"));
    }
    assertEquals(clean.stateHash(), failed.stateHash());
    assertEquals(clean.stats().elements(), failed.stats().elements());
    Doc other = new Doc("n2");
    failed.history().forEach(other::apply);
    assertEquals(failed.stateHash(), other.stateHash());
  }

  private static String firstOf(Edit e) {
    e.set(Path.of("l"), List.of());
    return e.append(Path.of("l"), "a");
  }

  /**
   * Seed 96: "keep" acknowledged every value its replica happened to hold, so replicas that had
   * received a concurrent value earlier kept a different set. A keep now names the values it keeps.
   */
  @Test
  void keep_touchesOnlyTheValuesItsWriterSaw() {
    Doc n1 = new Doc("n1");
    n1.edit(A, null, 1, e -> e.set(Path.of("card"), Map.of("title", "x")));
    Doc n2 = new Doc("n2");
    n1.history().forEach(n2::apply);
    n2.edit(B, null, 2, e -> e.set(Path.of("card", "title"), Container.TEXT));
    n1.edit(A, null, 3, e -> e.keep(Path.of("card", "title")));
    n2.edit(B, null, 4, e -> e.set(Path.of("card", "title"), "v4"));
    n1.history().forEach(n2::apply);
    n2.history().forEach(n1::apply);
    assertEquals(n1.conflicts(), n2.conflicts());
    assertEquals(n1.stateHash(), n2.stateHash());
  }

  /**
   * Simulation seed 0 (snapshots): consecutive inserts into a list were written as one insert run
   * and read back as one position, losing an element. List runs now decode to one atom each.
   */
  @Test
  void snapshot_listBuiltInOneChange_keepsEveryElement() {
    Doc d = new Doc("n1");
    d.edit(A, null, 1, e -> e.set(Path.of("title"), List.of("i6", "j4", "k")));
    Doc back =
        dev.chorus.crdt.codec.SnapshotCodec.decode(
            dev.chorus.crdt.codec.SnapshotCodec.encode(d), "n1");
    assertEquals(List.of("i6", "j4", "k"), back.get(Path.of("title")));
    assertEquals(d.stateHash(), back.stateHash());
  }

  /**
   * Simulation seed 3 (compaction): a delete that lost to a concurrent move lived on the position
   * the move retired; compacting that position dropped the open delete-vs-edit conflict with it.
   */
  @Test
  void compaction_keepsADeleteVsEditConflictWhoseDeletePositionWasMovedAway() {
    Doc n1 = new Doc("n1");
    String[] id = new String[1];
    n1.edit(
        A,
        null,
        1,
        e -> {
          e.set(Path.of("a"), List.of());
          e.set(Path.of("b"), List.of());
          id[0] = e.append(Path.of("a"), "card");
        });
    VersionVector v1 = n1.version();
    n1.edit(A, v1, 2, e -> e.delete(Path.of("a", id[0])));
    n1.edit(B, v1, 3, e -> e.move(Path.of("a", id[0]), Path.of("b"), null));
    String hash = n1.stateHash();
    assertEquals(1, n1.conflicts().size());
    n1.compact(n1.version());
    assertEquals(hash, n1.stateHash());
    assertEquals(1, n1.conflicts().size());
  }

  /**
   * Found by the load harness: deleting a card that held an open conflict made the conflict vanish
   * without a {@code Resolved} event, so clients kept showing it.
   */
  @Test
  void deletingAContainerWithAnOpenConflictInside_reportsItResolved() {
    Doc d = new Doc("n1");
    String card = cardWithContestedStatus(d);
    assertEquals(1, d.conflicts().size());
    List<dev.chorus.crdt.conflict.ConflictEvent> events = new java.util.ArrayList<>();
    d.addListener((c, ev) -> events.addAll(ev));
    d.edit(A, d.version(), 4, e -> e.delete(Path.of("cards", card)));
    assertEquals(List.of(), d.conflicts());
    assertEquals(1, events.size());
    assertEquals(
        dev.chorus.crdt.conflict.ConflictKind.CONCURRENT_ASSIGNMENT,
        events.get(0).conflict().kind());
    assertEquals("status", events.get(0).conflict().path().last());
    assertEquals(dev.chorus.crdt.conflict.ConflictEvent.Resolved.class, events.get(0).getClass());
  }

  /**
   * Found by checking events against {@code conflicts()} in the simulation: a concurrent insert
   * into a deleted list brings the list back (edit wins), and with it the conflict inside it that
   * the delete had hidden; that conflict must be reported open again.
   */
  @Test
  void anEditReviving_aDeletedContainer_reopensTheConflictsInside() {
    Doc d = new Doc("n1");
    String card = cardWithContestedStatus(d);
    VersionVector beforeDelete = d.version();
    ConflictView view = new ConflictView(d);
    d.edit(A, beforeDelete, 4, e -> e.delete(Path.of("cards")));
    assertEquals(List.of(), d.conflicts());
    assertEquals(java.util.Map.of(), view.open());
    d.edit(B, beforeDelete, 5, e -> e.append(Path.of("cards"), java.util.Map.of("status", "new")));
    assertEquals(2, d.conflicts().size(), "the list is back with its assignment conflict");
    assertEquals(ConflictView.of(d.conflicts()), view.open());
  }

  /** A list {@code cards} holding one card whose status A and B set concurrently; its id. */
  private static String cardWithContestedStatus(Doc d) {
    String[] id = new String[1];
    d.edit(
        A,
        null,
        1,
        e -> {
          e.set(Path.of("cards"), List.of());
          id[0] = e.append(Path.of("cards"), java.util.Map.of("status", "todo"));
        });
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.set(Path.of("cards", id[0], "status"), "done"));
    d.edit(B, v1, 3, e -> e.set(Path.of("cards", id[0], "status"), "cancelled"));
    return id[0];
  }
}
