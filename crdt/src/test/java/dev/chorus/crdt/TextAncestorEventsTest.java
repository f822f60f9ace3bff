package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.conflict.ConflictKind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Typing reports the text's register as an ancestor only while it can have a conflict: a register
 * with one value never retired is skipped (no op below it can contest it). These are the events
 * that skip must not lose: a delete-vs-edit opened by typing a concurrent delete did not see, and
 * settled by typing after seeing it.
 */
class TextAncestorEventsTest {
  private static final Author A = Author.human("ann");
  private static final Author B = Author.human("bob");
  private static final Path NOTE = Path.of("note");

  @Test
  void typingIntoAnUncontestedText_reportsNothing() {
    Doc doc = new Doc("n1");
    List<ConflictEvent> events = new ArrayList<>();
    doc.addListener((c, ev) -> events.addAll(ev));
    doc.edit(A, null, 1, e -> e.set(NOTE, Container.TEXT));
    for (int i = 0; i < 20; i++) {
      int at = i;
      doc.edit(A, null, 2 + i, e -> e.spliceText(NOTE, at, 0, "x"));
    }
    assertEquals(List.of(), events);
    assertEquals("x".repeat(20), doc.get(NOTE));
  }

  @Test
  void typingAConcurrentDeleteDidNotSee_opensDeleteVsEdit_andTypingAfterSeeingIt_settlesIt() {
    Doc n1 = new Doc("n1");
    Doc n2 = new Doc("n2");
    n2.apply(n1.edit(A, null, 1, e -> e.set(NOTE, Container.TEXT)));
    var typed = n1.edit(A, null, 2, e -> e.spliceText(NOTE, 0, 0, "draft"));
    var deleted = n2.edit(B, null, 3, e -> e.delete(NOTE));

    List<ConflictEvent> atN2 = n2.apply(typed).events();
    assertEquals(1, atN2.size(), atN2.toString());
    ConflictEvent.Opened opened = assertInstanceOf(ConflictEvent.Opened.class, atN2.get(0));
    assertEquals(ConflictKind.DELETE_VS_EDIT, opened.conflict().kind());

    List<ConflictEvent> atN1 = n1.apply(deleted).events();
    assertEquals(1, atN1.size(), atN1.toString());
    assertInstanceOf(ConflictEvent.Opened.class, atN1.get(0));

    // Ann keeps typing after seeing the delete: the edit wins and the conflict is settled.
    List<ConflictEvent> local = new ArrayList<>();
    n1.addListener((c, ev) -> local.addAll(ev));
    var again = n1.edit(A, null, 4, e -> e.spliceText(NOTE, 5, 0, "!"));
    assertEquals(1, local.size(), local.toString());
    assertInstanceOf(ConflictEvent.Resolved.class, local.get(0));
    assertEquals(List.of(), n1.conflicts());

    List<ConflictEvent> atN2Again = n2.apply(again).events();
    assertEquals(1, atN2Again.size(), atN2Again.toString());
    assertInstanceOf(ConflictEvent.Resolved.class, atN2Again.get(0));
    assertEquals("draft!", n2.get(NOTE));
    assertEquals(n1.stateHash(), n2.stateHash());
  }
}
