package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compact history gives back exactly the changes that were applied: typing (kept as rows),
 * other changes (kept as objects), changes of several replicas with their own deps, writes from
 * stale views (basedOn below deps), texts outside the BMP, past many deps checkpoints and growths.
 */
class HistoryLogTest {
  private static final Path TEXT = Path.of("t");
  private static final String[] PIECES = {"a", "bc", "😀", "x😀y", "\n"};

  @Test
  void history_isEveryAppliedChange_inOrder_andViewsDoNotMove() {
    for (int seed = 0; seed < 8; seed++) {
      Random rnd = new Random(seed);
      Doc[] docs = {new Doc("r0"), new Doc("r1"), new Doc("r2")};
      List<List<Change>> applied = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      for (int r = 0; r < docs.length; r++) {
        List<Change> seen = applied.get(r);
        docs[r].addListener((c, events) -> seen.add(c));
      }
      Change setup = docs[0].edit(Author.human("s"), null, 0, e -> e.set(TEXT, Container.TEXT));
      docs[1].apply(setup);
      docs[2].apply(setup);
      List<List<VersionVector>> views = new ArrayList<>();
      for (Doc d : docs) {
        views.add(new ArrayList<>(List.of(d.version())));
      }
      List<Change> midView = null;
      int midSize = 0;
      for (int step = 0; step < 2500; step++) {
        if (step == 1500) {
          midView = docs[0].internalDecodedHistory();
          midSize = applied.get(0).size();
        }
        int r = rnd.nextInt(docs.length);
        Doc d = docs[r];
        if (rnd.nextInt(10) == 0) {
          Doc from = docs[rnd.nextInt(docs.length)];
          from.changesSince(d.version()).forEach(d::apply);
          continue;
        }
        List<VersionVector> seen = views.get(r);
        VersionVector basedOn = rnd.nextInt(5) == 0 ? seen.get(rnd.nextInt(seen.size())) : null;
        int len = ((String) d.get(TEXT)).codePointCount(0, ((String) d.get(TEXT)).length());
        int at = rnd.nextInt(len + 1);
        int del = rnd.nextInt(3) == 0 ? Math.min(len - at, 1 + rnd.nextInt(3)) : 0;
        String ins = rnd.nextInt(4) == 0 ? "" : PIECES[rnd.nextInt(PIECES.length)];
        if (del == 0 && ins.isEmpty()) {
          ins = "z";
        }
        String insert = ins;
        long ts = rnd.nextInt(3);
        try {
          if (rnd.nextInt(20) == 0) {
            d.edit(Author.agent("b"), basedOn, ts, e -> e.set(Path.of("k"), insert));
          } else {
            d.edit(Author.human("h" + r), basedOn, ts, e -> e.spliceText(TEXT, at, del, insert));
          }
        } catch (DocException e) {
          // a splice the stale view cannot make: no change
        }
        seen.add(d.version());
      }
      for (int r = 0; r < docs.length; r++) {
        assertEquals(applied.get(r), docs[r].history(), "seed " + seed + " replica " + r);
        VersionVector since = applied.get(r).get(applied.get(r).size() / 2).deps();
        List<Change> expected = new ArrayList<>();
        for (Change c : applied.get(r)) {
          if (since.get(c.replica()) < c.startCounter()) {
            expected.add(c);
          }
        }
        assertEquals(expected, docs[r].changesSince(since), "seed " + seed + " replica " + r);
        assertUnseenAsWalkingEveryChange(applied.get(r), since, "seed " + seed + " replica " + r);
        Doc loaded = SnapshotCodec.decode(SnapshotCodec.encode(docs[r]), "r" + r);
        assertEquals(applied.get(r), loaded.history(), "seed " + seed + " replica " + r);
      }
      assertTrue(
          midSize > 1024 && applied.get(0).size() > 2048, "past several growths of the columns");
      assertEquals(applied.get(0).subList(0, midSize), midView, "a view keeps its changes");
      VersionVector stable = applied.get(0).get(applied.get(0).size() / 3).deps();
      docs[0].compact(stable);
      List<Change> kept = new ArrayList<>();
      for (Change c : applied.get(0)) {
        if (stable.get(c.replica()) < c.endCounter()) {
          kept.add(c);
        }
      }
      assertEquals(kept, docs[0].history(), "seed " + seed + " after compaction");
    }
  }

  /** What a strict write walked before: every change made again, filtered, versions chained. */
  private static void assertUnseenAsWalkingEveryChange(
      List<Change> history, VersionVector basedOn, String what) {
    List<Change> changes = new ArrayList<>();
    List<VersionVector> after = new ArrayList<>();
    VersionVector version = VersionVector.EMPTY;
    for (Change c : history) {
      version = version.with(c.replica(), c.endCounter());
      if (basedOn.get(c.replica()) < c.startCounter()) {
        changes.add(c);
        after.add(version);
      }
    }
    HistoryLog log = new HistoryLog();
    history.forEach(c -> log.add(c, null));
    HistoryView view = log.view();
    HistoryView.Unseen unseen = view.unseen(basedOn, VersionVector.EMPTY);
    assertEquals(changes, unseen.changes(), what);
    assertEquals(after, unseen.after(), what);
    assertEquals(changes.size(), view.changesMade(), what + ": only the unseen rows are made");
  }

  @Test
  void unseenChanges_ofALongTypingHistory_makeOnlyTheLastFewChanges() {
    Doc d = new Doc("r0");
    Author typist = Author.human("t");
    d.edit(typist, null, 0, e -> e.set(TEXT, Container.TEXT));
    for (int i = 0; i < 10_000; i++) {
      d.edit(typist, null, i, e -> e.spliceText(TEXT, 0, 0, "a"));
    }
    VersionVector seen = d.version();
    for (int i = 0; i < 3; i++) {
      d.edit(typist, null, i, e -> e.spliceText(TEXT, 1, 0, "b"));
    }
    HistoryLog log = new HistoryLog();
    d.history().forEach(c -> log.add(c, null));
    HistoryView view = log.view();
    HistoryView.Unseen unseen = view.unseen(seen, VersionVector.EMPTY);
    assertEquals(3, unseen.changes().size());
    assertEquals(3, view.changesMade(), "the 10,001 changes seen are not made again");
    assertEquals(d.version(), unseen.after().get(2));
    List<UnseenChange> touches = d.unseenChanges(seen, List.of(TEXT));
    assertEquals(3, touches.size());
    assertEquals(d.version().toString(), touches.get(2).version());
  }
}
