package dev.chorus.crdt.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Changes and snapshots survive encoding exactly; the v1 format is pinned by golden files; bad
 * input fails precisely and changes nothing.
 */
class CodecTest {
  static final Author A = Author.human("alice");
  static final Author B = Author.agent("bot");

  /**
   * A small document with every kind of value and every kind of conflict, built the same way
   * always.
   */
  static Doc sample() {
    Doc n1 = new Doc("n1");
    Doc n2 = new Doc("n2");
    String[] ids = new String[2];
    n1.edit(
        A,
        null,
        1000,
        e -> {
          e.set(Path.parse("tasks"), Map.of("t1", Map.of("status", "todo", "title", "Write")));
          e.set(Path.parse("cols"), Map.of("todo", List.of(), "done", List.of()));
          ids[0] = e.append(Path.parse("cols/todo"), Map.of("title", "card"));
          e.set(Path.parse("notes"), Container.TEXT);
          e.spliceText(Path.parse("notes"), 0, 0, "hello world");
          e.set(Path.parse("votes"), Container.COUNTER);
          e.set(Path.parse("ratio"), 0.25);
          e.set(Path.parse("flag"), true);
          e.set(Path.parse("none"), null);
        });
    n1.history().forEach(n2::apply);
    VersionVector v1 = n1.version();
    n1.edit(A, v1, 2000, e -> e.set(Path.parse("tasks/t1/status"), "done"));
    n2.edit(B, v1, 2001, e -> e.set(Path.parse("tasks/t1/status"), "cancelled"));
    n1.edit(
        A, v1, 2002, e -> e.move(Path.parse("cols/todo/" + ids[0]), Path.parse("cols/done"), null));
    n2.edit(
        B, v1, 2003, e -> e.move(Path.parse("cols/todo/" + ids[0]), Path.parse("cols/todo"), null));
    n1.edit(A, null, 2004, e -> e.spliceText(Path.parse("notes"), 5, 6, ", there"));
    n2.edit(B, null, 2005, e -> e.increment(Path.parse("votes"), 3));
    n1.edit(A, v1, 2006, e -> e.delete(Path.parse("tasks/t1")));
    n2.edit(B, v1, 2007, e -> e.set(Path.parse("tasks/t1/title"), "Write more"));
    n2.history().forEach(n1::apply);
    return n1;
  }

  @Test
  void change_roundTripsExactly() {
    for (Change c : sample().history()) {
      String json = ChangeCodec.toJsonString(c);
      Change back = ChangeCodec.fromJson(json);
      assertEquals(c, back);
      assertEquals(json, ChangeCodec.toJsonString(back), "deterministic output");
    }
  }

  @Test
  void snapshot_loadsToAnIdenticalReplica_thatKeepsMergingTheSame() {
    Doc d = sample();
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(d.stateHash(), back.stateHash());
    assertEquals(d.conflicts(), back.conflicts());
    assertEquals(d.toPlain(), back.toPlain());
    assertEquals(d.version(), back.version());
    assertEquals(d.history(), back.history());
    assertEquals(
        java.util.EnumSet.allOf(dev.chorus.crdt.conflict.ConflictKind.class),
        d.conflicts().stream()
            .map(dev.chorus.crdt.conflict.Conflict::kind)
            .collect(java.util.stream.Collectors.toSet()),
        "the sample holds every conflict kind");

    // Both continue identically: same later edits, same results.
    Change c = d.edit(A, null, 3000, e -> e.set(Path.parse("tasks/t1/status"), "done"));
    back.apply(c);
    assertEquals(d.stateHash(), back.stateHash());
    assertEquals(d.conflicts(), back.conflicts());
  }

  @Test
  void snapshot_isDeterministic() {
    Doc d = sample();
    assertEquals(SnapshotCodec.toJson(d).toString(), SnapshotCodec.toJson(d).toString());
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(SnapshotCodec.toJson(d).toString(), SnapshotCodec.toJson(back).toString());
  }

  @Test
  void compactedSnapshot_loadsToTheSameState() {
    Doc d = sample();
    String hash = d.stateHash();
    d.compact(d.version());
    assertEquals(hash, d.stateHash(), "compaction changes nothing visible");
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(hash, back.stateHash());
    assertEquals(d.horizon(), back.horizon());
  }

  /**
   * The v1 format is pinned: these files were written by this codec, and a change that reads them
   * differently (or writes the sample differently) is a breaking change. Regenerate only on a
   * deliberate format version bump: {@code -Dgolden.update=true}.
   */
  @Test
  void goldenFiles_v1_stillReadAndWriteTheSame() throws IOException {
    Doc d = sample();
    String snapshot = SnapshotCodec.toJson(d).toPrettyString();
    String changes = ChangeCodec.listToJson(d.history()).toPrettyString();
    if (Boolean.getBoolean("golden.update")) {
      java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/golden");
      Files.writeString(dir.resolve("snapshot-v1.json"), snapshot + "\n");
      Files.writeString(dir.resolve("changes-v1.json"), changes + "\n");
      Files.writeString(dir.resolve("snapshot-v1.hash"), d.stateHash() + "\n");
    }
    String goldenSnapshot = resource("golden/snapshot-v1.json");
    String goldenChanges = resource("golden/changes-v1.json");
    String goldenHash = resource("golden/snapshot-v1.hash").trim();
    assertEquals(goldenSnapshot.trim(), snapshot.trim(), "snapshot format v1 drifted");
    assertEquals(goldenChanges.trim(), changes.trim(), "change format v1 drifted");

    Doc fromSnapshot = SnapshotCodec.decode(goldenSnapshot.getBytes(StandardCharsets.UTF_8), "n9");
    assertEquals(goldenHash, fromSnapshot.stateHash());
    Doc fromChanges = new Doc("n9");
    ChangeCodec.listFromJson(Json.parse(goldenChanges)).forEach(fromChanges::apply);
    assertEquals(goldenHash, fromChanges.stateHash());
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = CodecTest.class.getClassLoader().getResourceAsStream(name)) {
      assertNotNull(in, "missing test resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "[]",
        "{\"replica\":\"n1\"}",
        "{\"replica\":\"n1\",\"prev\":0,\"start\":1,\"basedOn\":\"\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"robot\"},\"ts\":1,\"ops\":[]}",
        "{\"replica\":\"n1\",\"prev\":0,\"start\":1,\"basedOn\":\"\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"human\"},\"ts\":1,\"ops\":[]}",
        "{\"replica\":\"n1\",\"prev\":0,\"start\":1,\"basedOn\":\"\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"human\"},\"ts\":1,"
            + "\"ops\":[{\"op\":\"explode\",\"obj\":\"root\"}]}",
        "{\"replica\":\"n1\",\"prev\":0,\"start\":1,\"basedOn\":\"\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"human\"},\"ts\":1,"
            + "\"ops\":[{\"op\":\"mapSet\",\"obj\":\"root\",\"key\":\"k\",\"value\":{},\"pred\":[]}]}",
        "{\"replica\":\"n1\",\"prev\":0,\"start\":1,\"basedOn\":\"x\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"human\"},\"ts\":1,"
            + "\"ops\":[{\"op\":\"mapSet\",\"obj\":\"root\",\"key\":\"k\",\"value\":1,\"pred\":[]}]}",
        "{\"replica\":\"n1\",\"prev\":0,\"start\":1,\"basedOn\":\"\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"human\"},\"ts\":1,"
            + "\"ops\":[{\"op\":\"mapSet\",\"obj\":\"1@\",\"key\":\"k\",\"value\":1,\"pred\":[]}]}"
      })
  void malformedChange_failsWithAPreciseCodecException(String json) {
    CodecException e = assertThrows(CodecException.class, () -> ChangeCodec.fromJson(json));
    assertTrue(e.getMessage().length() > 10, e.getMessage());
  }

  @Test
  void malformedSnapshot_failsWithACodecException() {
    byte[] good = SnapshotCodec.toJson(sample()).toString().getBytes(StandardCharsets.UTF_8);
    String s = new String(good, StandardCharsets.UTF_8);
    for (String bad :
        List.of(
            s.replace("\"chorus-snapshot\"", "\"other\""),
            s.replace("\"type\":\"list\"", "\"type\":\"tree\""),
            s.substring(0, s.length() / 2),
            s.replaceFirst("\"list\":\"[^\"]+\"", "\"list\":\"999@zz\""))) {
      assertThrows(
          CodecException.class,
          () -> SnapshotCodec.decode(bad.getBytes(StandardCharsets.UTF_8), "n1"),
          bad.substring(0, 40));
    }
  }

  @Test
  void wellFormedButInvalidChange_isRefusedAndLeavesTheDocUntouched() {
    Doc d = sample();
    String hash = d.stateHash();
    VersionVector v = d.version();
    String json =
        "{\"replica\":\"n7\",\"prev\":0,\"start\":100,\"basedOn\":\"\",\"deps\":\"\","
            + "\"author\":{\"id\":\"a\",\"kind\":\"human\"},\"ts\":1,\"ops\":["
            + "{\"op\":\"mapSet\",\"obj\":\"root\",\"key\":\"ok\",\"value\":1,\"pred\":[]},"
            + "{\"op\":\"mapSet\",\"obj\":\"77@n7\",\"key\":\"k\",\"value\":1,\"pred\":[]}]}";
    DocException e = assertThrows(DocException.class, () -> d.apply(ChangeCodec.fromJson(json)));
    assertEquals(DocException.Code.INVALID_CHANGE, e.code());
    assertEquals(hash, d.stateHash());
    assertEquals(v, d.version());
  }
}
