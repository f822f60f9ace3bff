package dev.chorus.server;

import static dev.chorus.server.ClusterChecks.awaitConverged;
import static dev.chorus.server.ClusterChecks.read;
import static dev.chorus.server.ClusterCompactionChecks.compacting;
import static dev.chorus.server.ClusterCompactionChecks.compactions;
import static dev.chorus.server.ClusterCompactionChecks.historyStatus;
import static dev.chorus.server.ClusterCompactionChecks.retainedChanges;
import static dev.chorus.server.ClusterCompactionChecks.set;
import static dev.chorus.server.ClusterCompactionChecks.setOk;
import static dev.chorus.server.ClusterCompactionChecks.storedSnapshotBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compaction in a cluster (issue 15): three nodes (Hazelcast members on loopback, one PostgreSQL
 * store) hold a session and write to it; they agree a floor through Hazelcast and each forgets the
 * history and replaced values below it — also the node that only receives changes. Clients see the
 * same document and hash everywhere; a write on a view older than the floor gets {@code
 * stale_base}; the stored snapshot shrinks; a node that joins later converges and is fenced alike.
 */
class ClusterCompactionIT {
  private static final List<String> ALL = List.of("n1", "n2", "n3");
  // 40 writes of 2,000 random characters: an uncompacted snapshot holds them all in its history
  private static final int BIG_WRITES = 40;
  private static final int BIG_CHARS = 2_000;

  private static PgServer pg;
  private static TestCluster cluster;
  private static final List<TestCluster.Node> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pg = PgServer.start();
    cluster = new TestCluster(pg.newDatabase());
    for (String r : ALL) {
      nodes.add(cluster.start(r, ALL, compacting(500)));
    }
    TestCluster.awaitMembers(nodes.get(0), 3);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private static String big(Random random) {
    byte[] b = new byte[BIG_CHARS * 3 / 4];
    random.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  @Test
  void everyNodeCompacts_staleViewsAreRefused_aLateJoinerConverges() throws Exception {
    String s = "compact-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("alice", "human", s);
    for (TestCluster.Node n : nodes) {
      read(n, s, token); // every node holds the session
    }
    String early = setOk(nodes.get(0), s, token, "t0", "first");
    Random random = new Random(15);
    for (int i = 0; i < BIG_WRITES; i++) {
      // replaced values: each write supersedes the one four writes back
      setOk(nodes.get(i % 2), s, token, "t" + (i % 4), big(random));
    }
    awaitConverged(nodes, s, token);
    long bigBytes = (long) BIG_WRITES * BIG_CHARS;
    // the session's initial content, the first write, the big ones
    AtomicInteger written = new AtomicInteger(2 + BIG_WRITES);

    // Small writes through every node (each node's snapshots propose floors) until every node has
    // compacted past the first write and keeps less than half the history (the floor trails the
    // newest snapshots, so what is kept stays bounded while the history grows), and the stored
    // snapshot has shed the replaced values.
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              for (TestCluster.Node n : nodes) {
                setOk(n, s, token, "small-" + n.replica(), "v" + System.nanoTime());
                written.incrementAndGet();
              }
              for (TestCluster.Node n : nodes) {
                assertTrue(compactions(n) >= 1, n.replica() + " has not compacted");
                int kept = retainedChanges(n, s, token);
                assertTrue(
                    kept < written.get() / 2,
                    n.replica() + " keeps " + kept + " of " + written.get() + " changes");
                assertEquals(
                    410,
                    historyStatus(n, s, token, early),
                    n.replica() + " still serves the history from the first write");
              }
              long stored = storedSnapshotBytes(cluster.storeUrl, s);
              assertTrue(
                  stored > 0 && stored < bigBytes / 4,
                  "stored snapshot " + stored + " B, written " + bigBytes + " B");
            });
    String hash = awaitConverged(nodes, s, token);

    // a view older than the floor is refused on every node, and changes nothing
    for (TestCluster.Node n : nodes) {
      Rest.Response stale = set(n, s, token, early, "t0", "from an old view");
      assertEquals(409, stale.status(), n.replica() + ": " + stale.body());
      assertEquals("stale_base", stale.body().path("code").asText());
    }
    assertEquals(hash, awaitConverged(nodes, s, token));

    // a node that joins now loads the compacted snapshot (or compacts to the agreed floor) and
    // converges; it is fenced like the others, and its writes reach them
    List<String> four = List.of("n1", "n2", "n3", "n4");
    TestCluster.Node late = cluster.start("n4", four, compacting(500));
    List<TestCluster.Node> all = new ArrayList<>(nodes);
    all.add(late);
    assertEquals(hash, awaitConverged(all, s, token));
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertEquals(410, historyStatus(late, s, token, early)));
    Rest.Response stale = set(late, s, token, early, "t0", "from an old view");
    assertEquals(409, stale.status(), String.valueOf(stale.body()));
    setOk(late, s, token, "t0", "from the late node");
    awaitConverged(all, s, token);
    assertEquals(
        "from the late node",
        read(nodes.get(2), s, token).path("doc").path("tasks").path("t0").path("title").asText());
  }
}
