package dev.chorus.crdt.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The binary snapshot (v3): an identical replica, its history decoded only when asked for and
 * re-encoded without decoding; later snapshots copy the history chunks of earlier ones ({@link
 * HistoryChunks}) and load like a fresh encode; v2 and v1 snapshots (stored by earlier versions)
 * still load; corrupt input fails with a {@link CodecException}.
 */
class BinarySnapshotTest {

  @Test
  void v3_loadsToAnIdenticalReplica_historyIncluded() {
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
  void v3_historyServesChangesSince_andPreconditions_afterALoad() {
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
  void v3_reencodesAnUndecodedHistoryAsItWas_withLaterChangesAfterIt() {
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

  /**
   * golden/snapshot-v2.bin was written by the v2 encoder (commit 0ee052f): a text typed into,
   * deleted from and compacted (chars without text), a list, registers, history after the compact.
   */
  @Test
  void v2_snapshotsStillLoad_andWriteAsV3ToTheSameState() throws IOException {
    byte[] v2;
    String hash;
    try (InputStream bin = resource("golden/snapshot-v2.bin");
        InputStream h = resource("golden/snapshot-v2.hash")) {
      v2 = bin.readAllBytes();
      hash = new String(h.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    Doc back = SnapshotCodec.decode(v2, "n1");
    assertEquals(hash, back.stateHash());
    assertEquals(
        Map.of("cards", List.of("a", "b", "c", "d"), "notes", "Jello there, this is a text"),
        Map.of("cards", back.get(Path.parse("cards")), "notes", back.get(Path.parse("notes"))));
    assertEquals(2, back.history().size());
    byte[] v3 = SnapshotCodec.encode(back);
    assertEquals(3, v3[3]);
    Doc again = SnapshotCodec.decode(v3, "n1");
    assertEquals(hash, again.stateHash());
    assertEquals(back.history(), again.history());
    assertEquals(SnapshotCodec.toJson(back).toString(), SnapshotCodec.toJson(again).toString());
  }

  private static InputStream resource(String name) {
    InputStream in = BinarySnapshotTest.class.getClassLoader().getResourceAsStream(name);
    assertTrue(in != null, "missing test resource " + name);
    return in;
  }

  @Test
  void compacted_v3_loadsToTheSameState() {
    Doc d = CodecTest.sample();
    String hash = d.stateHash();
    d.compact(d.version());
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(hash, back.stateHash());
    assertEquals(d.horizon(), back.horizon());
    assertEquals(List.of(), back.history());
  }

  @Test
  void corruptOrTruncated_v3_failsWithACodecException() {
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

  // ---- history chunks reused across snapshots ------------------------------------------------

  private static final Author ALICE = Author.human("alice");

  private static void edits(Doc d, int n, SplittableRandom random) {
    for (int k = 0; k < n; k++) {
      String key = "k" + random.nextInt(20);
      d.edit(ALICE, null, 1000 + k, e -> e.set(Path.parse(key), "v" + random.nextInt(1000)));
    }
  }

  /** The history chunk count of a binary snapshot (what follows the state section). */
  /**
   * Encodes the next snapshot of {@code d} with {@code reuse} and checks it: the changes encoded
   * into new chunks so far, its chunk count, and that it loads like a fresh encode.
   */
  private static byte[] assertNextSnapshot(
      Doc d, HistoryChunks reuse, long encodedSoFar, int chunks, String what) {
    byte[] snap = SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    assertEquals(encodedSoFar, reuse.encodedChanges(), what + ": changes encoded");
    assertEquals(chunks, chunkCount(snap), what + ": chunks");
    assertLoadsLikeAFreshEncode(d, snap, what);
    return snap;
  }

  private static int chunkCount(byte[] snap) {
    BinaryStateReader r = new BinaryStateReader(snap, 4, snap.length);
    r.skip(r.count());
    return r.count();
  }

  /** {@code snap} loads to {@code d}'s state and history, as a fresh encode of {@code d} does. */
  private static void assertLoadsLikeAFreshEncode(Doc d, byte[] snap, String where) {
    Doc back = SnapshotCodec.decode(snap, "n1");
    Doc fresh = SnapshotCodec.decode(SnapshotCodec.encode(d), "n1");
    assertEquals(d.stateHash(), back.stateHash(), where);
    assertEquals(d.horizon(), back.horizon(), where);
    assertEquals(d.stats(), back.stats(), where);
    assertEquals(fresh.history(), back.history(), where);
  }

  @Test
  void laterSnapshots_copyTheChunksOfEarlierOnes_andEncodeOnlyTheNewChanges() {
    Doc d = new Doc("n1");
    SplittableRandom random = new SplittableRandom(1);
    HistoryChunks reuse = new HistoryChunks(0);
    edits(d, 10, random);
    byte[] first = SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    edits(d, 5, random);
    // the first 10 changes were encoded once
    byte[] second = assertNextSnapshot(d, reuse, 15, 2, "second");
    // the first snapshot ends with its only chunk, which the second holds as it was
    int gzLength = BinarySnapshot.chunk(d.history().subList(0, 10), c -> null).gz().length;
    byte[] firstChunk = java.util.Arrays.copyOfRange(first, first.length - gzLength, first.length);
    assertTrue(indexOf(second, firstChunk) > 0, "first chunk copied");
    byte[] third = SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    assertEquals(15, reuse.encodedChanges(), "nothing new: everything copied");
    assertArrayEquals(second, third);
  }

  @Test
  void aChangesJsonHandedOver_isCopiedIntoTheNextChunk_thenForgotten() {
    Doc d = new Doc("n1");
    SplittableRandom random = new SplittableRandom(5);
    HistoryChunks reuse = new HistoryChunks(0);
    edits(d, 6, random);
    // what a server hands over: the JSON it stored each change with
    d.history().forEach(c -> reuse.encoded(c, ChangeCodec.toJsonString(c)));
    byte[] handed = SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    assertArrayEquals(SnapshotCodec.encode(d), handed, "the same bytes as encoding them");
    // copied, not checked: a marker stands for a change whose JSON was handed over
    edits(d, 1, random);
    Change last = d.history().get(d.history().size() - 1);
    Change other = d.history().get(0);
    reuse.encoded(last, ChangeCodec.toJsonString(other));
    SnapshotCodec.Capture marked = SnapshotCodec.capture(d, reuse);
    assertEquals(other, SnapshotCodec.decode(SnapshotCodec.encode(marked), "n2").history().get(6));
    // every chunk made empties what was handed over: a later one encodes the change itself
    HistoryChunks other2 = new HistoryChunks(0);
    other2.encoded(last, ChangeCodec.toJsonString(other));
    Doc elsewhere = new Doc("n3");
    edits(elsewhere, 2, random);
    SnapshotCodec.encode(SnapshotCodec.capture(elsewhere, other2));
    assertEquals(
        d.history(),
        SnapshotCodec.decode(SnapshotCodec.encode(SnapshotCodec.capture(d, other2)), "n2")
            .history());
  }

  private static int indexOf(byte[] in, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= in.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (in[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * 10 changes, a snapshot, 15 more, a snapshot: two cached chunks of 10 and 15. Returns the
   * version after the first {@code markAfter} changes.
   */
  private static VersionVector twoSnapshots(
      Doc d, SplittableRandom random, HistoryChunks reuse, int markAfter) {
    edits(d, markAfter, random);
    VersionVector mark = d.version();
    edits(d, 10 - markAfter, random);
    SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    edits(d, 15, random);
    SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    assertEquals(25, reuse.encodedChanges());
    return mark;
  }

  @Test
  void afterACompact_theChangedHistoryIsEncodedAgain() {
    Doc d = new Doc("n1");
    HistoryChunks reuse = new HistoryChunks(0);
    VersionVector mid = twoSnapshots(d, new SplittableRandom(2), reuse, 5);
    d.compact(mid);
    // the first cached chunk (10 changes) would still fit in the 20 left, but they moved
    assertNextSnapshot(d, reuse, 25 + 20, 1, "after compact: the 20 left in one new chunk");
  }

  @Test
  void afterACompactAtAChunkBoundary_theLaterChunksAreStillCopied() {
    Doc d = new Doc("n1");
    SplittableRandom random = new SplittableRandom(3);
    HistoryChunks reuse = new HistoryChunks(0);
    VersionVector atFirstSnapshot = twoSnapshots(d, random, reuse, 10);
    d.compact(atFirstSnapshot); // what the server does: its floor is an earlier snapshot's version
    edits(d, 4, random);
    assertNextSnapshot(d, reuse, 25 + 4, 2, "at a boundary: the 15 kept copied, the 4 new encoded");
  }

  @Test
  void aLoadedHistory_isCopied_untilItIsDecoded_thenEncodedOnceAgain() {
    Doc original = new Doc("n1");
    SplittableRandom random = new SplittableRandom(3);
    edits(original, 10, random);
    Doc d = SnapshotCodec.decode(SnapshotCodec.encode(original), "n1");
    HistoryChunks reuse = new HistoryChunks(0);
    edits(d, 4, random);
    SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    edits(d, 3, random);
    assertNextSnapshot(
        d, reuse, 7, 3, "undecoded: the loaded chunk copied, the later changes once");
    d.history(); // decodes the loaded part: it now comes first in the decoded history
    assertNextSnapshot(d, reuse, 7 + 17, 1, "decoded");
  }

  @Test
  void aSmallLastChunk_isMergedWithTheChangesAfterIt() {
    Doc d = new Doc("n1");
    SplittableRandom random = new SplittableRandom(4);
    HistoryChunks reuse = new HistoryChunks();
    byte[] snap = null;
    for (int k = 0; k < 20; k++) {
      edits(d, 1, random);
      snap = SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
    }
    assertEquals(1, chunkCount(snap), "tiny chunks do not pile up");
    assertLoadsLikeAFreshEncode(d, snap, "merged");
  }

  @Test
  void capturesEncodedOnAnotherThread_inAnyOrder_eachLoadToItsOwnReplica() throws Exception {
    Doc d = new Doc("n1");
    SplittableRandom random = new SplittableRandom(5);
    HistoryChunks reuse = new HistoryChunks(0);
    edits(d, 10, random);
    String hashA = d.stateHash();
    SnapshotCodec.Capture a = SnapshotCodec.capture(d, reuse);
    List<Change> historyA = d.history();
    edits(d, 10, random);
    SnapshotCodec.Capture b = SnapshotCodec.capture(d, reuse);
    ExecutorService worker = Executors.newSingleThreadExecutor();
    try {
      byte[] snapB = worker.submit(() -> SnapshotCodec.encode(b)).get();
      byte[] snapA = worker.submit(() -> SnapshotCodec.encode(a)).get();
      assertLoadsLikeAFreshEncode(d, snapB, "b");
      Doc backA = SnapshotCodec.decode(snapA, "n1");
      assertEquals(hashA, backA.stateHash());
      assertEquals(historyA, backA.history());
    } finally {
      worker.shutdown();
    }
  }

  /**
   * Seeded random runs: edits of two replicas, snapshots through one cache, compactions, decoding
   * the loaded history, and loading the replica again from its own snapshot (the cache then matches
   * nothing). Every snapshot loads like a fresh encode of the replica.
   */
  @Test
  void randomRuns_snapshotsWithReusedChunks_loadLikeFreshEncodes() {
    long copied = 0;
    for (long seed = 0; seed < 30; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      HistoryChunks reuse = new HistoryChunks(random.nextBoolean() ? 0 : 400);
      Doc d = new Doc("n1");
      List<VersionVector> versions = new ArrayList<>();
      for (int step = 0; step < 60; step++) {
        String where = "seed " + seed + " step " + step;
        int what = random.nextInt(10);
        if (what < 5) {
          edits(d, 1 + random.nextInt(4), random);
        } else if (what == 5) {
          // another replica that has seen everything (what compaction asks for) edits too
          Doc other = SnapshotCodec.decode(SnapshotCodec.encode(d), "n2");
          edits(other, 1 + random.nextInt(3), random);
          other.changesSince(d.version()).forEach(d::apply);
        } else if (what < 8) {
          long before = reuse.encodedChanges();
          byte[] snap = SnapshotCodec.encode(SnapshotCodec.capture(d, reuse));
          copied += d.internalDecodedHistory().size() - (reuse.encodedChanges() - before);
          assertLoadsLikeAFreshEncode(d, snap, where);
        } else if (what == 8 && !versions.isEmpty()) {
          d.compact(versions.get(random.nextInt(versions.size())));
        } else if (random.nextBoolean()) {
          d.history();
        } else {
          d = SnapshotCodec.decode(SnapshotCodec.encode(SnapshotCodec.capture(d, reuse)), "n1");
        }
        versions.add(d.version());
      }
    }
    assertTrue(copied > 0, "some chunks were copied");
  }
}
