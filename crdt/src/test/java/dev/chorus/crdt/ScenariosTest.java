package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.conflict.ConflictKind;
import dev.chorus.crdt.conflict.Intent;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rows of SCENARIOS.md at the CRDT level, each twice: thin clients writing through one replica
 * with a stale {@code basedOn}, and writers on two replicas that then exchange changes.
 */
class ScenariosTest {
  static final Author A = Author.human("alice");
  static final Author B = Author.agent("bot");
  static final Author C = Author.human("carol");

  private static Path p(String s) {
    return Path.parse(s);
  }

  private static Doc withTask() {
    Doc d = new Doc("n1");
    d.edit(C, null, 1, e -> e.set(p("tasks"), Map.of("t1", Map.of("status", "todo"))));
    return d;
  }

  private static Doc copy(Doc from, String replica) {
    Doc d = new Doc(replica);
    from.history().forEach(d::apply);
    return d;
  }

  private static void exchange(Doc... docs) {
    for (Doc from : docs) {
      for (Doc to : docs) {
        if (from != to) {
          from.history().forEach(to::apply);
        }
      }
    }
  }

  @Test
  void row1_concurrentAssignments_keepBothValuesAndOneConflict() {
    Doc d = withTask();
    VersionVector v1 = d.version();
    List<ConflictEvent> events = new ArrayList<>();
    d.addListener((c, ev) -> events.addAll(ev));
    d.edit(A, v1, 2, e -> e.set(p("tasks/t1/status"), "done"));
    d.edit(B, v1, 3, e -> e.set(p("tasks/t1/status"), "cancelled"));

    List<Conflict> conflicts = d.conflicts();
    assertEquals(1, conflicts.size());
    Conflict c = conflicts.get(0);
    assertEquals(ConflictKind.CONCURRENT_ASSIGNMENT, c.kind());
    assertEquals("tasks/t1/status", c.path().toString());
    assertEquals(
        Set.of("done", "cancelled"),
        c.intents().stream().map(Intent::value).collect(Collectors.toSet()));
    assertEquals(
        Set.of(A, B), c.intents().stream().map(Intent::author).collect(Collectors.toSet()));
    assertEquals(c.winner(), d.get(p("tasks/t1/status")));
    assertEquals(1, events.stream().filter(ev -> ev instanceof ConflictEvent.Opened).count());
  }

  @Test
  void row1_acrossReplicas_sameWinnerSameConflictSameHash() {
    Doc n1 = withTask();
    Doc n2 = copy(n1, "n2");
    n1.edit(A, null, 2, e -> e.set(p("tasks/t1/status"), "done"));
    n2.edit(B, null, 3, e -> e.set(p("tasks/t1/status"), "cancelled"));
    exchange(n1, n2);
    assertEquals(n1.stateHash(), n2.stateHash());
    assertEquals(n1.conflicts(), n2.conflicts());
    assertEquals(1, n1.conflicts().size());
    assertEquals(n1.get(p("tasks/t1/status")), n2.get(p("tasks/t1/status")));
  }

  @Test
  void row2_writeThatSawThePreviousValue_supersedesWithoutConflict() {
    Doc d = withTask();
    d.edit(A, d.version(), 2, e -> e.set(p("tasks/t1/status"), "done"));
    d.edit(B, d.version(), 3, e -> e.set(p("tasks/t1/status"), "cancelled"));
    assertEquals("cancelled", d.get(p("tasks/t1/status")));
    assertTrue(d.conflicts().isEmpty());
  }

  @Test
  void row3_writeThatSawBothValues_resolvesAndNamesTheResolver() {
    Doc d = withTask();
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.set(p("tasks/t1/status"), "done"));
    d.edit(B, v1, 3, e -> e.set(p("tasks/t1/status"), "cancelled"));
    List<ConflictEvent> events = new ArrayList<>();
    d.addListener((c, ev) -> events.addAll(ev));
    Change resolving = d.edit(C, d.version(), 4, e -> e.set(p("tasks/t1/status"), "done"));
    assertEquals("done", d.get(p("tasks/t1/status")));
    assertTrue(d.conflicts().isEmpty());
    assertEquals(1, events.size());
    ConflictEvent.Resolved r = (ConflictEvent.Resolved) events.get(0);
    assertEquals(C, r.by());
    assertEquals(resolving.id(), r.op());
  }

  @Test
  void row4_differentFields_noConflict() {
    Doc d = withTask();
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.set(p("tasks/t1/status"), "done"));
    d.edit(B, v1, 3, e -> e.set(p("tasks/t1/title"), "Ship it"));
    assertEquals(Map.of("status", "done", "title", "Ship it"), d.get(p("tasks/t1")));
    assertTrue(d.conflicts().isEmpty());
  }

  @Test
  void row5_deleteVsEdit_editWinsAndConflictNamesDeleter_deleteAgainResolves() {
    Doc d = withTask();
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.delete(p("tasks/t1")));
    d.edit(B, v1, 3, e -> e.set(p("tasks/t1/title"), "B's title"));
    assertEquals("B's title", d.get(p("tasks/t1/title")));
    List<Conflict> cs = d.conflicts();
    assertEquals(1, cs.size());
    Conflict c = cs.get(0);
    assertEquals(ConflictKind.DELETE_VS_EDIT, c.kind());
    assertEquals("tasks/t1", c.path().toString());
    assertTrue(c.intents().stream().anyMatch(i -> i.role().equals("deleter") && i.author() == A));
    assertTrue(c.intents().stream().anyMatch(i -> i.role().equals("editor") && i.author() == B));

    d.edit(A, d.version(), 4, e -> e.delete(p("tasks/t1")));
    assertFalse(((Map<?, ?>) d.get(p("tasks"))).containsKey("t1"));
    assertTrue(d.conflicts().isEmpty());
  }

  @Test
  void row5_editArrivingAfterTheDelete_stillWins() {
    Doc n1 = withTask();
    Doc n2 = copy(n1, "n2");
    n1.edit(A, null, 2, e -> e.delete(p("tasks/t1")));
    n2.edit(B, null, 3, e -> e.set(p("tasks/t1/title"), "B's title"));
    exchange(n1, n2);
    assertEquals("B's title", n1.get(p("tasks/t1/title")));
    assertEquals(n1.stateHash(), n2.stateHash());
    assertEquals(ConflictKind.DELETE_VS_EDIT, n1.conflicts().get(0).kind());
  }

  @Test
  void row5_keep_resolvesInFavourOfKeeping() {
    Doc d = withTask();
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.delete(p("tasks/t1")));
    d.edit(B, v1, 3, e -> e.set(p("tasks/t1/title"), "B's title"));
    d.edit(C, d.version(), 4, e -> e.keep(p("tasks/t1")));
    assertTrue(d.conflicts().isEmpty());
    assertEquals("B's title", d.get(p("tasks/t1/title")));
  }

  private static Doc board(List<String> ids) {
    Doc d = new Doc("n1");
    d.edit(
        C,
        null,
        1,
        e -> {
          e.set(p("cols"), Map.of("todo", List.of(), "doing", List.of(), "done", List.of()));
          ids.add(e.append(p("cols/todo"), Map.of("title", "card")));
        });
    return d;
  }

  @Test
  void row6_moveVsMove_oneCopyEverywhereAndAConflict() {
    List<String> ids = new ArrayList<>();
    Doc n1 = board(ids);
    String c1 = ids.get(0);
    Doc n2 = copy(n1, "n2");
    n1.edit(A, null, 2, e -> e.move(p("cols/todo/" + c1), p("cols/doing"), null));
    n2.edit(B, null, 3, e -> e.move(p("cols/todo/" + c1), p("cols/done"), null));
    exchange(n1, n2);
    for (Doc d : List.of(n1, n2)) {
      @SuppressWarnings("unchecked")
      Map<String, List<?>> cols = (Map<String, List<?>>) d.get(p("cols"));
      assertEquals(1, cols.values().stream().mapToInt(List::size).sum(), "exactly one copy");
      assertEquals(0, cols.get("todo").size());
      Conflict c = d.conflicts().get(0);
      assertEquals(ConflictKind.MOVE_VS_MOVE, c.kind());
      assertEquals(
          Set.of("cols/doing", "cols/done"),
          c.intents().stream().map(Intent::value).collect(Collectors.toSet()));
    }
    assertEquals(n1.stateHash(), n2.stateHash());
  }

  @Test
  void row7_moveAndConcurrentEdit_bothApplyWithoutConflict() {
    List<String> ids = new ArrayList<>();
    Doc d = board(ids);
    String c1 = ids.get(0);
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.move(p("cols/todo/" + c1), p("cols/done"), null));
    d.edit(B, v1, 3, e -> e.set(p("cols/todo/" + c1 + "/title"), "B's title"));
    assertEquals(List.of(Map.of("title", "B's title")), d.get(p("cols/done")));
    assertEquals(List.of(), d.get(p("cols/todo")));
    assertTrue(d.conflicts().isEmpty());
  }

  @Test
  void row8_concurrentInsertsAtOnePlace_runsStayContiguous() {
    Doc n1 = new Doc("n1");
    String[] s = new String[2];
    n1.edit(
        C,
        null,
        1,
        e -> {
          e.set(p("plan"), List.of());
          s[0] = e.append(p("plan"), "s1");
          s[1] = e.append(p("plan"), "s3");
        });
    Doc n2 = copy(n1, "n2");
    n1.edit(
        A,
        null,
        2,
        e -> {
          String a = e.insert(p("plan"), s[0], "s2a");
          e.insert(p("plan"), a, "s2b");
        });
    n2.edit(B, null, 3, e -> e.insert(p("plan"), s[0], "x"));
    exchange(n1, n2);
    Object plan = n1.get(p("plan"));
    assertTrue(
        plan.equals(List.of("s1", "s2a", "s2b", "x", "s3"))
            || plan.equals(List.of("s1", "x", "s2a", "s2b", "s3")),
        "got " + plan);
    assertEquals(plan, n2.get(p("plan")));
  }

  @Test
  void row9_concurrentTyping_neverInterleaves() {
    Doc n1 = new Doc("n1");
    n1.edit(C, null, 1, e -> e.set(p("desc"), Container.TEXT));
    Doc n2 = copy(n1, "n2");
    for (char ch : "hello".toCharArray()) {
      int at = ((String) n1.get(p("desc"))).length();
      n1.edit(A, null, 2, e -> e.spliceText(p("desc"), at, 0, String.valueOf(ch)));
    }
    for (char ch : "world".toCharArray()) {
      int at = ((String) n2.get(p("desc"))).length();
      n2.edit(B, null, 3, e -> e.spliceText(p("desc"), at, 0, String.valueOf(ch)));
    }
    exchange(n1, n2);
    Object text = n1.get(p("desc"));
    assertTrue(text.equals("helloworld") || text.equals("worldhello"), "got " + text);
    assertEquals(text, n2.get(p("desc")));
  }

  @Test
  void row10_concurrentIncrements_add() {
    Doc n1 = new Doc("n1");
    n1.edit(C, null, 1, e -> e.set(p("votes"), Container.COUNTER));
    Doc n2 = copy(n1, "n2");
    n1.edit(A, null, 2, e -> e.increment(p("votes"), 1));
    n2.edit(B, null, 3, e -> e.increment(p("votes"), 2));
    exchange(n1, n2);
    assertEquals(3L, n1.get(p("votes")));
    assertEquals(3L, n2.get(p("votes")));
    assertTrue(n1.conflicts().isEmpty());
  }

  @Test
  void row11_unseenChanges_listTheChangeOnTouchedPathsOnly() {
    Doc d = withTask();
    d.edit(C, null, 1, e -> e.set(p("tasks/t2"), Map.of("status", "todo")));
    VersionVector v1 = d.version();
    d.edit(A, v1, 2, e -> e.set(p("tasks/t1/status"), "done"));
    List<UnseenChange> unseen = d.unseenChanges(v1, List.of(p("tasks/t1/status")));
    assertEquals(1, unseen.size());
    UnseenChange u = unseen.get(0);
    assertEquals("tasks/t1/status", u.path().toString());
    assertEquals("done", u.value());
    assertEquals(A, u.author());
    assertEquals(d.version().toString(), u.version());
    assertTrue(d.unseenChanges(v1, List.of(p("tasks/t2/status"))).isEmpty());
    assertEquals(1, d.unseenChanges(v1, List.of(p("tasks"))).size(), "ancestors overlap");
  }

  @Test
  void row12_redeliveredChange_isANoOp() {
    Doc n1 = withTask();
    Doc n2 = copy(n1, "n2");
    Change c = n1.edit(A, null, 2, e -> e.set(p("tasks/t1/status"), "done"));
    assertEquals(1, n2.apply(c).applied().size());
    String hash = n2.stateHash();
    assertTrue(n2.apply(c).applied().isEmpty());
    assertEquals(hash, n2.stateHash());
    assertEquals(n1.version(), n2.version());
  }

  @Test
  void row15_opOnMissingElement_throwsAndAppliesNothing() {
    Doc d = withTask();
    String hash = d.stateHash();
    VersionVector v = d.version();
    DocException ex =
        assertThrows(
            DocException.class,
            () ->
                d.edit(
                    A,
                    null,
                    2,
                    e -> {
                      e.set(p("tasks/t1/status"), "done");
                      e.set(p("tasks/nope/status"), "done");
                    }));
    assertEquals(DocException.Code.PATH_NOT_FOUND, ex.code());
    assertEquals(hash, d.stateHash());
    assertEquals(v, d.version());
    assertNotNull(d.edit(A, null, 3, e -> e.set(p("tasks/t1/status"), "done")));
  }
}
