package dev.chorus.server.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.server.store.OpLogStore.BatchRecord;
import dev.chorus.server.store.OpLogStore.SessionData;
import dev.chorus.server.store.OpLogStore.StoredBatch;
import dev.chorus.server.store.OpLogStore.StoredChange;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the file store adds to the store contract (StoreIT runs that on all stores): a crash in the
 * middle of a write or of a snapshot's rewrite loses nothing that was acknowledged and never keeps
 * half a group, one process owns a directory, and many sessions do not hold a file each open.
 */
class FileOpLogStoreTest {
  @TempDir Path dir;
  @TempDir Path scratch;

  private static StoredBatch batch(String id, String replica, long counter) {
    StoredChange c =
        new StoredChange(
            replica, counter, counter, counter, "{\"op\":\"é😀\",\"n\":" + counter + "}");
    return new StoredBatch(
        new BatchRecord(id, "hash-" + id, replica + ":" + counter, "[\"ok\"]", counter),
        List.of(c));
  }

  private FileOpLogStore open() throws Exception {
    FileOpLogStore s = new FileOpLogStore(dir);
    s.init();
    return s;
  }

  private Path logOf(String session) {
    return dir.resolve(FileOpLogStore.fileName(session));
  }

  @Test
  void everythingSurvivesAReopen_snapshotMarksChangesAndBatches() throws Exception {
    try (FileOpLogStore s = open()) {
      s.create("plan/å", "agent-session");
      s.append("plan/å", List.of(batch("b1", "n1", 1), batch("b2", "n1", 2)));
      s.snapshot("plan/å", new byte[] {7, 8}, "marks", "n1:1", 1, 0);
      s.append("plan/å", List.of(batch("b3", "n1", 3)));
    }
    try (FileOpLogStore s = open()) {
      SessionData d = s.load("plan/å", 10).orElseThrow();
      assertEquals("agent-session", d.shape());
      assertArrayEquals(new byte[] {7, 8}, d.snapshot());
      assertEquals("marks", d.compactionMarks());
      assertEquals(List.of(2L, 3L), d.changes().stream().map(StoredChange::startCounter).toList());
      assertEquals("{\"op\":\"é😀\",\"n\":3}", d.changes().get(1).json());
      assertEquals(List.of(1L), d.covered().stream().map(StoredChange::startCounter).toList());
      assertEquals(
          List.of("b1", "b2", "b3"), d.batches().stream().map(BatchRecord::batchId).toList());
      assertEquals(3, d.lastSeq());
      assertTrue(s.load("never-made", 10).isEmpty());
    }
  }

  @Test
  void aGroupTornByACrash_isGoneWhole_andTheLogGoesOnAfterTheLastWholeOne() throws Exception {
    try (FileOpLogStore s = open()) {
      s.create("s", "generic");
      s.append("s", List.of(batch("b1", "n1", 1)));
    }
    long whole = Files.size(logOf("s"));
    try (FileOpLogStore s = open()) {
      s.append("s", List.of(batch("b2", "n1", 2), batch("b3", "n1", 3)));
    }
    long withGroup = Files.size(logOf("s"));
    // every cut inside the last frame: its change and batch records go together, never one alone
    for (long cut = whole + 1; cut < withGroup; cut += Math.max(1, (withGroup - whole) / 7)) {
      Path copy = scratch.resolve("cut-" + cut);
      copyDir(dir, copy);
      try (FileChannel ch =
          FileChannel.open(copy.resolve(logOf("s").getFileName()), StandardOpenOption.WRITE)) {
        ch.truncate(cut);
      }
      try (FileOpLogStore s = new FileOpLogStore(copy)) {
        s.init();
        SessionData d = s.load("s", 10).orElseThrow();
        assertEquals(List.of(1L), d.changes().stream().map(StoredChange::startCounter).toList());
        assertEquals(List.of("b1"), d.batches().stream().map(BatchRecord::batchId).toList());
        // the retry lands after the last whole frame and is read back
        s.append("s", List.of(batch("b2", "n1", 2)));
      }
      try (FileOpLogStore s = new FileOpLogStore(copy)) {
        s.init();
        SessionData d = s.load("s", 10).orElseThrow();
        assertEquals(
            List.of(1L, 2L), d.changes().stream().map(StoredChange::startCounter).toList());
      }
    }
  }

  @Test
  void garbageAfterTheLastFrame_isCutOff() throws Exception {
    try (FileOpLogStore s = open()) {
      s.create("s", "generic");
      s.append("s", List.of(batch("b1", "n1", 1)));
    }
    byte[] noise = new byte[100];
    new Random(42).nextBytes(noise);
    Files.write(logOf("s"), noise, StandardOpenOption.APPEND);
    try (FileOpLogStore s = open()) {
      assertEquals(1, s.load("s", 10).orElseThrow().changes().size());
      s.append("s", List.of(batch("b2", "n1", 2)));
    }
    try (FileOpLogStore s = open()) {
      assertEquals(2, s.load("s", 10).orElseThrow().changes().size());
    }
  }

  @Test
  void aRewriteACrashInterrupted_leavesTheOldLogWhole() throws Exception {
    try (FileOpLogStore s = open()) {
      s.create("s", "generic");
      s.append("s", List.of(batch("b1", "n1", 1)));
    }
    // the temporary file of a snapshot that never got renamed
    Path tmp = logOf("s").resolveSibling(logOf("s").getFileName() + FileOpLogStore.TEMP_SUFFIX);
    Files.write(tmp, new byte[] {1, 2, 3});
    try (FileOpLogStore s = open()) {
      assertFalse(Files.exists(tmp));
      assertEquals(1, s.load("s", 10).orElseThrow().changes().size());
    }
  }

  @Test
  void snapshotsCompactTheFile() throws Exception {
    try (FileOpLogStore s = open()) {
      s.create("s", "generic");
      for (int i = 1; i <= 200; i++) {
        s.append("s", List.of(batch("b" + i, "n1", i)));
      }
      long before = Files.size(logOf("s"));
      s.snapshot("s", new byte[] {1}, null, "n1:100", 100, 0);
      s.snapshot("s", new byte[] {2}, null, "n1:200", 200, 150);
      // the changes the first snapshot covered and the batch records before 150 are gone
      SessionData d = s.load("s", 1000).orElseThrow();
      assertEquals(100, d.covered().size());
      assertEquals(51, d.batches().size());
      assertTrue(Files.size(logOf("s")) < before * 0.6, "the rewrite dropped what was compacted");
    }
  }

  @Test
  void oneProcessOwnsADirectory() throws Exception {
    try (FileOpLogStore s = open()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> open());
      assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
    }
    try (FileOpLogStore s = open()) {
      assertTrue(s.healthy());
    }
  }

  @Test
  void moreSessionsThanOpenFiles_allReadable() throws Exception {
    try (FileOpLogStore s = open()) {
      for (int i = 0; i < 300; i++) {
        s.create("s" + i, "generic");
        s.append("s" + i, List.of(batch("b", "n1", i + 1)));
      }
      for (int i = 0; i < 300; i++) {
        s.append("s" + i, List.of(batch("c", "n1", i + 1000)));
        assertEquals(2, s.load("s" + i, 10).orElseThrow().changes().size());
      }
    }
  }

  private static void copyDir(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path p : files.toList()) {
        if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }
}
