package dev.chorus.crdt.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The binary snapshot (v2): an identical replica, its history decoded only when asked for and
 * re-encoded without decoding; v1 snapshots (stored by earlier versions) still load; corrupt input
 * fails with a {@link CodecException}.
 */
class SnapshotV2Test {

  @Test
  void v2_loadsToAnIdenticalReplica_historyIncluded() {
    Doc d = CodecTest.sample();
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(d.stateHash(), back.stateHash());
    assertEquals(d.conflicts(), back.conflicts());
    assertEquals(d.read(), back.read());
    assertEquals(d.version(), back.version());
    assertEquals(d.horizon(), back.horizon());
    assertEquals(d.stats(), back.stats(), "history counted before it is decoded");
    assertEquals(d.history(), back.history());
    // the same v1 text: nothing of the state differs
    assertEquals(SnapshotCodec.toJson(d).toString(), SnapshotCodec.toJson(back).toString());
  }

  @Test
  void v2_historyServesChangesSince_andPreconditions_afterALoad() {
    Doc d = CodecTest.sample();
    VersionVector mid = VersionVector.EMPTY;
    List<Change> all = d.history();
    for (Change c : all.subList(0, all.size() / 2)) {
      mid = mid.with(c.replica(), c.endCounter()).merge(c.deps());
    }
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(d.changesSince(mid), back.changesSince(mid));
    assertEquals(
        d.unseenChanges(mid, List.of(Path.parse("tasks"))),
        back.unseenChanges(mid, List.of(Path.parse("tasks"))));
  }

  @Test
  void v2_reencodesAnUndecodedHistoryAsItWas_withLaterChangesAfterIt() {
    Doc d = CodecTest.sample();
    byte[] first = SnapshotCodec.encode(d);
    Doc back = SnapshotCodec.decode(first, "n1"); // history not decoded
    assertArrayEquals(
        first, SnapshotCodec.encode(back), "deterministic, bytes copied as they were");
    Change c = d.edit(Author.human("alice"), null, 5, e -> e.set(Path.parse("tasks/t9"), "x"));
    back.apply(c);
    Doc again = SnapshotCodec.decode(SnapshotCodec.encode(back), "n1");
    assertEquals(d.history(), again.history());
    assertEquals(d.stateHash(), again.stateHash());
    assertArrayEquals(SnapshotCodec.encode(d), SnapshotCodec.encode(again));
  }

  @Test
  void v1_snapshotsStillLoad_gzippedOrPlain() throws IOException {
    Doc d = CodecTest.sample();
    byte[] json = SnapshotCodec.toJson(d).toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(json);
    }
    for (byte[] v1 : List.of(json, out.toByteArray())) {
      Doc back = SnapshotCodec.decode(v1, "n1");
      assertEquals(d.stateHash(), back.stateHash());
      assertEquals(d.history(), back.history());
    }
  }

  @Test
  void compacted_v2_loadsToTheSameState() {
    Doc d = CodecTest.sample();
    String hash = d.stateHash();
    d.compact(d.version());
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(hash, back.stateHash());
    assertEquals(d.horizon(), back.horizon());
    assertEquals(List.of(), back.history());
  }

  @Test
  void corruptOrTruncated_v2_failsWithACodecException() {
    Doc original = CodecTest.sample();
    byte[] snap = SnapshotCodec.encode(original);
    for (int at = 4; at < snap.length; at++) {
      byte[] flipped = snap.clone();
      flipped[at] ^= 0x40;
      int where = at;
      try {
        // a flip in a gzip header's time or OS byte changes nothing; anything else is caught
        Doc back = SnapshotCodec.decode(flipped, "n1");
        assertEquals(original.stateHash(), back.stateHash(), "flipped at " + where);
        assertEquals(original.history(), back.history(), "flipped at " + where);
      } catch (CodecException expected) {
        // found
      }
      byte[] cut = java.util.Arrays.copyOf(snap, at);
      assertThrows(CodecException.class, () -> SnapshotCodec.decode(cut, "n1"), "cut at " + where);
    }
  }
}
