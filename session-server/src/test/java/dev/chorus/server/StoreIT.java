package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.server.store.OpLogStore;
import dev.chorus.server.store.OpLogStore.BatchRecord;
import dev.chorus.server.store.OpLogStore.StoredBatch;
import dev.chorus.server.store.OpLogStore.StoredChange;
import dev.chorus.server.store.jdbc.JdbcOpLogStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JDBC store, the same code on SQLite (the single-node default), H2 and a real PostgreSQL
 * server (shared by a cluster): the log is a grow-only set several nodes write, catch-up by version
 * vector, snapshots never go backwards, compaction only drops what a snapshot covers.
 */
class StoreIT {
  private static PgServer pg;

  @BeforeAll
  static void startPg() throws Exception {
    pg = PgServer.start();
  }

  @AfterAll
  static void stopPg() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  private static OpLogStore open(String kind) throws Exception {
    String url =
        switch (kind) {
          case "postgres" -> pg.newDatabase();
          case "sqlite" ->
              "jdbc:sqlite:" + TestServer.newDataDir().toAbsolutePath().resolve("chorus.db");
          default ->
              "jdbc:h2:file:"
                  + TestServer.newDataDir().toAbsolutePath().resolve("chorus")
                  + ";WRITE_DELAY=0";
        };
    OpLogStore s = new JdbcOpLogStore(url, 4);
    s.init();
    s.init(); // idempotent (every node of a cluster runs it at start)
    return s;
  }

  private static StoredChange change(String replica, long start, long end, long seq) {
    return new StoredChange(
        replica, start, end, seq, "{\"replica\":\"" + replica + "\",\"start\":" + start + "}");
  }

  private static StoredBatch batch(String id, StoredChange c) {
    return new StoredBatch(
        id == null
            ? null
            : new BatchRecord(
                id, "hash-" + id, c.replica() + ":" + c.endCounter(), "[null]", c.seq()),
        List.of(c));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgres"})
  void appendIsAGrowOnlySet_twoNodesWritingTheSameChangesKeepOneCopy(String kind) throws Exception {
    try (OpLogStore s = open(kind)) {
      s.create("s1", "generic");
      s.create("s1", "agent-session"); // a second node opening it keeps the first shape
      s.append(
          "s1", List.of(batch("b1", change("n1", 1, 3, 1)), batch(null, change("n2", 4, 4, 2))));
      // the same rows again (another node, a retry), plus a new one, in one transaction
      s.append(
          "s1", List.of(batch("b1", change("n1", 1, 3, 1)), batch("b2", change("n2", 5, 6, 3))));
      OpLogStore.SessionData d = s.load("s1", 100).orElseThrow();
      assertEquals("generic", d.shape());
      assertEquals(3, d.changes().size());
      assertEquals(List.of("b1", "b2"), d.batches().stream().map(BatchRecord::batchId).toList());
    }
  }

  /**
   * PostgreSQL takes a group commit's rows as arrays: text that array literals quote or escape (and
   * the word NULL) comes back exactly as written, and a change without a batch record stays
   * without.
   */
  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgres"})
  void append_keepsEveryCharacterOfTheRows(String kind) throws Exception {
    String json = "{\"s\":\"a \\\"quoted\\\" {x,y} back\\\\slash NULL é 😀\",\"n\":null}";
    String results = "[{\"ok\":\"NULL\"},\"a,b\"]";
    try (OpLogStore s = open(kind)) {
      s.create("s1", "generic");
      s.append(
          "s1",
          List.of(
              new StoredBatch(
                  new BatchRecord("id \"1\",{}", "h", "n1:1", results, 1),
                  List.of(new StoredChange("n1", 1, 1, 1, json))),
              new StoredBatch(null, List.of(new StoredChange("n1", 2, 2, 2, "NULL")))));
      OpLogStore.SessionData d = s.load("s1", 100).orElseThrow();
      assertEquals(List.of(json, "NULL"), d.changes().stream().map(StoredChange::json).toList());
      assertEquals(
          Arrays.asList("id \"1\",{}", null),
          d.changes().stream().map(StoredChange::batchId).toList());
      assertEquals(1, d.batches().size());
      assertEquals(results, d.batches().get(0).resultsJson());
      assertEquals("id \"1\",{}", d.batches().get(0).batchId());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgres"})
  void changesAfter_returnsWhatAVersionLacks_withBatchRecords(String kind) throws Exception {
    try (OpLogStore s = open(kind)) {
      s.create("s1", "generic");
      s.append(
          "s1",
          List.of(
              batch("a", change("n1", 1, 2, 1)),
              batch("b", change("n2", 3, 3, 2)),
              batch(null, change("n1", 4, 6, 3))));
      OpLogStore.CatchUp none = s.changesAfter("s1", "n1:6,n2:3");
      assertTrue(none.changes().isEmpty());
      assertEquals("", none.snapshotVersion());
      OpLogStore.CatchUp some = s.changesAfter("s1", "n1:2");
      List<String> got = new ArrayList<>();
      for (StoredBatch b : some.changes()) {
        StoredChange c = b.changes().get(0);
        got.add(
            c.replica()
                + "/"
                + c.startCounter()
                + "/"
                + (b.record() == null ? "-" : b.record().batchId()));
      }
      assertEquals(List.of("n1/4/-", "n2/3/b"), got.stream().sorted().toList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgres"})
  void snapshots_neverGoBackwards_andCompactionKeepsWhatNoSnapshotCovers(String kind)
      throws Exception {
    try (OpLogStore s = open(kind)) {
      s.create("s1", "generic");
      s.append(
          "s1",
          List.of(
              batch("a", change("n1", 1, 1, 1)),
              batch("b", change("n2", 2, 2, 2)),
              batch("c", change("n1", 3, 3, 3)),
              batch("d", change("n2", 4, 4, 4))));
      byte[] snapA = {1};
      s.snapshot("s1", snapA, "[[1,\"n1:1\"]]", "n1:1,n2:2", 2, 0);
      // a concurrent node's snapshot that does not cover the stored one is refused
      s.snapshot("s1", new byte[] {9}, "[]", "n1:3", 3, 0);
      OpLogStore.SessionData d = s.load("s1", 100).orElseThrow();
      assertArrayEquals(snapA, d.snapshot());
      assertEquals("[[1,\"n1:1\"]]", d.compactionMarks(), "the marks stored with it");
      // loading skips what the snapshot covers, by version vector (not by log position)
      assertEquals(
          List.of("n1/3", "n2/4"),
          d.changes().stream().map(c -> c.replica() + "/" + c.startCounter()).sorted().toList());
      // a newer snapshot replaces it and drops the changes the replaced one covered
      byte[] snapB = {2};
      s.snapshot("s1", snapB, null, "n1:3,n2:4", 4, 0);
      d = s.load("s1", 100).orElseThrow();
      assertArrayEquals(snapB, d.snapshot());
      assertEquals(null, d.compactionMarks());
      assertTrue(d.changes().isEmpty());
      OpLogStore.CatchUp c = s.changesAfter("s1", "");
      assertEquals("n1:3,n2:4", c.snapshotVersion());
      assertEquals(
          List.of("n1/3", "n2/4"),
          c.changes().stream()
              .map(b -> b.changes().get(0).replica() + "/" + b.changes().get(0).startCounter())
              .sorted()
              .toList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "h2", "postgres"})
  void concurrentWritersOfTheSameRows_neverFail(String kind) throws Exception {
    try (OpLogStore s = open(kind)) {
      s.create("s1", "generic");
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Object>> done = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          Callable<Object> writer =
              () -> {
                for (int i = 1; i <= 50; i++) {
                  s.append("s1", List.of(batch("b" + i, change("n1", i, i, i))));
                }
                return null;
              };
          done.add(pool.submit(writer));
        }
        for (Future<Object> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      OpLogStore.SessionData d = s.load("s1", 1000).orElseThrow();
      assertEquals(50, d.changes().size());
      assertEquals(50, d.batches().size());
      assertNull(d.snapshot());
    }
  }

  @org.junit.jupiter.api.Test
  void nodesStartingTogether_createTheSchemaOnce_onPostgres() throws Exception {
    String url = pg.newDatabase();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<OpLogStore> stores = new ArrayList<>();
    try {
      List<Future<Object>> done = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        OpLogStore st = new JdbcOpLogStore(url, 2);
        stores.add(st);
        Callable<Object> init =
            () -> {
              st.init();
              return null;
            };
        done.add(pool.submit(init));
      }
      for (Future<Object> f : done) {
        f.get(60, TimeUnit.SECONDS); // a race in CREATE TABLE IF NOT EXISTS would throw here
      }
    } finally {
      pool.shutdownNow();
      stores.forEach(OpLogStore::close);
    }
  }
}
