package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Text positions count Unicode code points, as the editing traces do (docs/semantics.md §5): a
 * small trace in their {@code [position, deleteCount, insert]} form, with emoji outside the BMP
 * (one of them with a skin-tone modifier, itself a code point), replays to its end content, on the
 * replica that typed it, on one that received its changes, and after a snapshot of the compacted
 * text (whose deleted emoji keep their ids but lose their text).
 */
class TextCodePointsTest {
  private static final Author A = Author.human("alice");
  private static final Path TEXT = Path.parse("text");

  private record Patch(int position, int delete, String insert) {}

  private static final List<Patch> TRACE =
      List.of(
          new Patch(0, 0, "héllo"),
          new Patch(5, 0, " \uD83D\uDC4B\uD83C\uDFFD world"), // 👋🏽: two code points
          new Patch(6, 2, "\uD83C\uDF0D"), // 🌍 replaces both
          new Patch(0, 0, "\uD83D\uDE00"), // 😀 at the start
          new Patch(7, 0, "!"), // right before 🌍, after six BMP chars and 😀
          new Patch(1, 1, "H"),
          new Patch(13, 0, " \uD83D\uDE80\uD83D\uDE80"), // 🚀🚀 inside "world"
          new Patch(14, 1, ""), // one rocket out
          new Patch(0, 1, "")); // 😀 out

  private static final String END = "Héllo !\uD83C\uDF0D wor \uD83D\uDE80ld";

  @Test
  void aTraceWithEmoji_replaysToItsEndContent_everywhere() {
    Doc typist = new Doc("n1");
    List<Change> changes = new ArrayList<>();
    changes.add(typist.edit(A, null, 1, e -> e.set(TEXT, Container.TEXT)));
    long ts = 2;
    for (Patch p : TRACE) {
      changes.add(
          typist.edit(
              A, null, ts++, e -> e.spliceText(TEXT, p.position(), p.delete(), p.insert())));
    }
    assertEquals(END, typist.get(TEXT));
    assertEquals(referenceReplay(), END);

    Doc receiver = new Doc("n2");
    for (Change c : changes) {
      receiver.apply(ChangeCodec.fromJson(ChangeCodec.toJsonString(c)));
    }
    assertEquals(END, receiver.get(TEXT));
    assertEquals(typist.stateHash(), receiver.stateHash());

    typist.compact(typist.version());
    Doc loaded = SnapshotCodec.decode(SnapshotCodec.encode(typist), "n3");
    assertEquals(END, loaded.get(TEXT));
    Doc fromJson = SnapshotCodec.fromJson(SnapshotCodec.toJson(typist), "n4");
    assertEquals(END, fromJson.get(TEXT));
    assertEquals(typist.stateHash(), loaded.stateHash());
  }

  @Test
  void anEmojiIsOnePosition_andOneId() {
    Doc d = new Doc("n1");
    d.edit(A, null, 1, e -> e.set(TEXT, Container.TEXT));
    Change c = d.edit(A, null, 2, e -> e.spliceText(TEXT, 0, 0, "a\uD83D\uDE00b"));
    assertEquals(3, c.endCounter() - c.startCounter() + 1, "three atoms, three ids");
    d.edit(A, null, 3, e -> e.spliceText(TEXT, 2, 1, "c"));
    assertEquals("a\uD83D\uDE00c", d.get(TEXT));
    DocException past =
        assertThrows(
            DocException.class, () -> d.edit(A, null, 4, e -> e.spliceText(TEXT, 4, 0, "x")));
    assertEquals(DocException.Code.INDEX_OUT_OF_RANGE, past.code());
  }

  /** The trace applied to a list of code points: what the positions mean. */
  private static String referenceReplay() {
    List<Integer> text = new ArrayList<>();
    for (Patch p : TRACE) {
      text.subList(p.position(), p.position() + p.delete()).clear();
      text.addAll(p.position(), p.insert().codePoints().boxed().toList());
    }
    StringBuilder sb = new StringBuilder();
    text.forEach(sb::appendCodePoint);
    return sb.toString();
  }
}
