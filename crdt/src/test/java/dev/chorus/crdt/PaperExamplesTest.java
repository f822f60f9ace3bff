package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictKind;
import dev.chorus.crdt.conflict.Intent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Worked examples from Kleppmann and Beresford, "A Conflict-Free Replicated JSON Datatype" (IEEE
 * TPDS 2017), and from Weidner and Kleppmann, "The Art of the Fugue" (2023). Where Chorus
 * deliberately differs from the JSON CRDT paper (it surfaces a conflict instead of merging two
 * concurrently created containers), the test says so.
 */
class PaperExamplesTest {
  static final Author P = Author.human("p");
  static final Author Q = Author.agent("q");

  private static Doc[] pair() {
    Doc p = new Doc("p");
    Doc q = new Doc("q");
    return new Doc[] {p, q};
  }

  private static void sync(Doc a, Doc b) {
    a.history().forEach(b::apply);
    b.history().forEach(a::apply);
  }

  /** KB17 Fig. 1: concurrent assignments to one key keep both values (a multi-value register). */
  @Test
  void kb17_fig1_concurrentAssignment_keepsBoth() {
    Doc[] r = pair();
    r[0].edit(P, null, 1, e -> e.set(Path.of("key"), "A"));
    sync(r[0], r[1]);
    r[0].edit(P, null, 2, e -> e.set(Path.of("key"), "B"));
    r[1].edit(Q, null, 3, e -> e.set(Path.of("key"), "C"));
    sync(r[0], r[1]);
    Conflict c = r[0].conflicts().get(0);
    assertEquals(
        Set.of("B", "C"), c.intents().stream().map(Intent::value).collect(Collectors.toSet()));
    assertEquals(r[0].stateHash(), r[1].stateHash());
  }

  /**
   * KB17 Fig. 2: p edits inside a nested map while q replaces the whole map. The paper merges the
   * two maps; Chorus keeps both containers (nothing lost) and surfaces the contradiction as a
   * concurrent assignment, so a person or agent decides.
   */
  @Test
  void kb17_fig2_nestedEditVsReplacement_keepsBothAndSurfacesIt() {
    Doc[] r = pair();
    r[0].edit(P, null, 1, e -> e.set(Path.of("colors"), Map.of("blue", "#0000ff")));
    sync(r[0], r[1]);
    r[0].edit(P, null, 2, e -> e.set(Path.of("colors", "red"), "#ff0000"));
    r[1].edit(
        Q,
        null,
        3,
        e -> {
          e.set(Path.of("colors"), Map.of());
          e.set(Path.of("colors", "green"), "#00ff00");
        });
    sync(r[0], r[1]);
    Conflict c = r[0].conflicts().get(0);
    assertEquals(ConflictKind.CONCURRENT_ASSIGNMENT, c.kind());
    assertEquals(
        Set.of(Map.of("blue", "#0000ff", "red", "#ff0000"), Map.of("green", "#00ff00")),
        c.intents().stream().map(Intent::value).collect(Collectors.toSet()));
    assertEquals(r[0].stateHash(), r[1].stateHash());
  }

  /** KB17 Fig. 4: concurrent inserts into one list; both present, same order everywhere. */
  @Test
  void kb17_fig4_concurrentListInserts_bothKeptInOneOrder() {
    Doc[] r = pair();
    String[] eggs = new String[1];
    r[0].edit(
        P,
        null,
        1,
        e -> {
          e.set(Path.of("grocery"), List.of());
          eggs[0] = e.append(Path.of("grocery"), "eggs");
        });
    sync(r[0], r[1]);
    r[0].edit(P, null, 2, e -> e.insert(Path.of("grocery"), eggs[0], "milk"));
    r[1].edit(Q, null, 3, e -> e.insert(Path.of("grocery"), eggs[0], "cheese"));
    sync(r[0], r[1]);
    Object g = r[0].get(Path.of("grocery"));
    assertTrue(
        g.equals(List.of("eggs", "milk", "cheese")) || g.equals(List.of("eggs", "cheese", "milk")));
    assertEquals(g, r[1].get(Path.of("grocery")));
  }

  /**
   * KB17 §3 (the todo example): p deletes a todo item while q marks it done. The update wins: the
   * item stays, done, and Chorus names the deleter in a delete-vs-edit conflict.
   */
  @Test
  void kb17_todoItem_deleteVsConcurrentUpdate_updateWins() {
    Doc[] r = pair();
    String[] id = new String[1];
    r[0].edit(
        P,
        null,
        1,
        e -> {
          e.set(Path.of("todo"), List.of());
          id[0] = e.append(Path.of("todo"), Map.of("title", "buy milk", "done", false));
        });
    sync(r[0], r[1]);
    r[0].edit(P, null, 2, e -> e.delete(Path.of("todo", id[0])));
    r[1].edit(Q, null, 3, e -> e.set(Path.of("todo", id[0], "done"), true));
    sync(r[0], r[1]);
    assertEquals(List.of(Map.of("title", "buy milk", "done", true)), r[0].get(Path.of("todo")));
    assertEquals(ConflictKind.DELETE_VS_EDIT, r[0].conflicts().get(0).kind());
    assertEquals(r[0].stateHash(), r[1].stateHash());
  }

  /**
   * Fugue §2 (Fig. 1-2): two users type words concurrently at the same place; RGA-style algorithms
   * can interleave words typed backwards (each char inserted before the previous one). Fugue never
   * interleaves, forwards or backwards.
   */
  @Test
  void fugue_backwardTyping_doesNotInterleave() {
    Doc[] r = pair();
    r[0].edit(
        P,
        null,
        1,
        e -> {
          e.set(Path.of("t"), Container.TEXT);
          e.spliceText(Path.of("t"), 0, 0, "[]");
        });
    sync(r[0], r[1]);
    for (char c : "cba".toCharArray()) {
      r[0].edit(P, null, 2, e -> e.spliceText(Path.of("t"), 1, 0, String.valueOf(c)));
    }
    for (char c : "zyx".toCharArray()) {
      r[1].edit(Q, null, 3, e -> e.spliceText(Path.of("t"), 1, 0, String.valueOf(c)));
    }
    sync(r[0], r[1]);
    Object t = r[0].get(Path.of("t"));
    assertTrue(t.equals("[abcxyz]") || t.equals("[xyzabc]"), "interleaved: " + t);
    assertEquals(t, r[1].get(Path.of("t")));
  }

  /** Fugue: three concurrent forward runs at one place stay three contiguous runs. */
  @Test
  void fugue_threeConcurrentRuns_stayContiguous() {
    Doc a = new Doc("a");
    a.edit(P, null, 1, e -> e.set(Path.of("t"), Container.TEXT));
    Doc b = new Doc("b");
    Doc c = new Doc("c");
    a.history().forEach(b::apply);
    a.history().forEach(c::apply);
    Map<Doc, String> words = Map.of(a, "one", b, "two", c, "six");
    words.forEach(
        (d, w) -> {
          for (int i = 0; i < w.length(); i++) {
            int at = i;
            d.edit(P, null, 2, e -> e.spliceText(Path.of("t"), at, 0, w.substring(at, at + 1)));
          }
        });
    for (Doc x : List.of(a, b, c)) {
      for (Doc y : List.of(a, b, c)) {
        x.history().forEach(y::apply);
      }
    }
    String t = (String) a.get(Path.of("t"));
    assertEquals(9, t.length());
    for (String w : words.values()) {
      assertTrue(t.contains(w), w + " interleaved in " + t);
    }
    assertEquals(t, b.get(Path.of("t")));
    assertEquals(t, c.get(Path.of("t")));
  }
}
