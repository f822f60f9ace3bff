package dev.chorus.crdt.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The change text written without a generator is Jackson's text: a generator reading it back and
 * writing it again gives the same string (escapes, numbers), and it decodes to the same change.
 * Seeded: every op kind, scalars of every type, strings with quotes, backslashes, control
 * characters, non-ASCII, emoji and lone surrogates.
 */
class ChangeJsonWriterTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();
  private static final String[] PIECES = {
    "a", "Plan", "\"", "\\", "/", "\n", "\t", "\r", "\b", "\f", "\u0000", "\u001f", "\u007f", "é",
    "日本", "😀", "\ud800", "\udfff", "<>&'", " ", "\u2028"
  };

  @Test
  void theTextIsJacksonsText_andDecodesToTheSameChange() throws Exception {
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      Change c = change(rnd);
      String text = ChangeCodec.toJsonString(c);
      assertEquals(
          JACKSON.writeValueAsString(JACKSON.readTree(text)), text, "seed " + seed + ": " + text);
      assertEquals(c, ChangeCodec.fromJson(text), "seed " + seed);
      assertEquals(JACKSON.readTree(text), ChangeCodec.toJson(c), "seed " + seed);
    }
  }

  private static Change change(Random rnd) {
    String replica = rnd.nextBoolean() ? "n1" : string(rnd);
    long prev = rnd.nextInt(5);
    long start = prev + 1 + rnd.nextInt(1_000_000);
    VersionVector deps = VersionVector.of(replica, prev);
    List<Op> ops = new ArrayList<>();
    int n = 1 + rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      ops.add(op(rnd));
    }
    Author author = rnd.nextBoolean() ? Author.human(string(rnd)) : Author.agent(string(rnd));
    return new Change(replica, prev, start, deps, deps, author, rnd.nextLong(), ops);
  }

  private static Op op(Random rnd) {
    OpId t = id(rnd);
    return switch (rnd.nextInt(10)) {
      case 0 -> new Op.MapSet(t, string(rnd), content(rnd), ids(rnd));
      case 1 -> new Op.MapDelete(t, string(rnd), ids(rnd));
      case 2 -> new Op.ListInsert(t, idOrNull(rnd), idOrNull(rnd), content(rnd));
      case 3 -> new Op.ListSet(t, id(rnd), content(rnd), ids(rnd));
      case 4 -> new Op.ListDelete(t, id(rnd), ids(rnd));
      case 5 -> new Op.ListMove(t, id(rnd), idOrNull(rnd), idOrNull(rnd), ids(rnd));
      case 6 -> new Op.TextInsert(t, idOrNull(rnd), idOrNull(rnd), "x" + string(rnd));
      case 7 -> new Op.TextDelete(t, List.of(new IdRange(id(rnd), 1 + rnd.nextInt(9))));
      case 8 -> new Op.CounterAdd(t, rnd.nextLong());
      default -> new Op.Keep(t, string(rnd), ids(rnd));
    };
  }

  private static Content content(Random rnd) {
    return switch (rnd.nextInt(7)) {
      case 0 -> new Content.Scalar(null);
      case 1 -> new Content.Scalar(rnd.nextBoolean());
      case 2 -> new Content.Scalar(rnd.nextLong());
      case 3 -> new Content.Scalar(rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20));
      case 4 -> new Content.Scalar(-0.0);
      case 5 -> new Content.New(Container.values()[rnd.nextInt(Container.values().length)]);
      default -> new Content.Scalar(string(rnd));
    };
  }

  private static String string(Random rnd) {
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(5);
    for (int i = 0; i < n; i++) {
      b.append(PIECES[rnd.nextInt(PIECES.length)]);
    }
    return b.toString();
  }

  private static OpId id(Random rnd) {
    return rnd.nextInt(8) == 0
        ? OpId.ROOT
        : new OpId(1 + rnd.nextInt(1 << 20), "r" + rnd.nextInt(3));
  }

  private static OpId idOrNull(Random rnd) {
    return rnd.nextInt(3) == 0 ? null : id(rnd);
  }

  private static List<OpId> ids(Random rnd) {
    List<OpId> out = new ArrayList<>();
    int n = rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      out.add(id(rnd));
    }
    return out;
  }
}
