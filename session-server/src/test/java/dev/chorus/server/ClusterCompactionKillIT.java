package dev.chorus.server;

import static dev.chorus.server.ClusterChecks.awaitConverged;
import static dev.chorus.server.ClusterChecks.read;
import static dev.chorus.server.ClusterCompactionChecks.compacting;
import static dev.chorus.server.ClusterCompactionChecks.historyStatus;
import static dev.chorus.server.ClusterCompactionChecks.set;
import static dev.chorus.server.ClusterCompactionChecks.setOk;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node that dies in the middle of a compaction agreement: the others may not compact past what it
 * made. n3 holds the session but reads the agreement on no timer ({@code --anti-entropy-ms 0}), so
 * it never acks the round n1 and n2 agree to; it accepts a write on a view older than the proposed
 * floor (it is not fenced yet), and dies. The round waits for it while it lives, then for the
 * grace; n1 and n2 then catch up from the store and compact — with n3's write applied, not refused.
 */
class ClusterCompactionKillIT {
  private static final List<String> ALL = List.of("n1", "n2", "n3");
  private static PgServer pg;
  private static TestCluster cluster;
  private static final List<TestCluster.Node> nodes = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    pg = PgServer.start();
    cluster = new TestCluster(pg.newDatabase());
    nodes.add(cluster.start("n1", ALL, compacting(500)));
    nodes.add(cluster.start("n2", ALL, compacting(500)));
    nodes.add(cluster.start("n3", ALL, compacting(0)));
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

  @Test
  void aHolderKilledBeforeItAcked_isWaitedFor_andItsWriteOnAnOldViewIsKept() throws Exception {
    String s = "kill-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("alice", "human", s);
    for (TestCluster.Node n : nodes) {
      read(n, s, token); // every node holds the session
    }
    TestCluster.Node n1 = nodes.get(0);
    TestCluster.Node n2 = nodes.get(1);
    TestCluster.Node n3 = nodes.get(2);
    String early = setOk(n1, s, token, "t0", "first");
    // n1's second snapshot proposes the version of its first as the floor; n1 and n2 fence and ack
    for (int i = 0; i < 25; i++) {
      setOk(n1, s, token, "t" + (i % 4), "w" + i);
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              setOk(n1, s, token, "tick", "t" + System.nanoTime());
              Rest.Response r = set(n1, s, token, early, "fenced", "on n1");
              assertEquals(409, r.status(), "n1 is not fenced yet: " + r.body());
            });

    // n3 has not read the agreement: it takes a write on the old view
    Rest.Response onN3 = set(n3, s, token, early, "on-n3", "from n3 on an old view");
    assertEquals(200, onN3.status(), String.valueOf(onN3.body()));
    // the round waits for n3: nobody compacted past the old view
    for (TestCluster.Node n : List.of(n1, n2)) {
      assertEquals(200, historyStatus(n, s, token, early), n.replica() + " compacted past n3");
    }

    n3.kill();
    List<TestCluster.Node> survivors = List.of(n1, n2);
    // after the grace the round is agreed; the survivors catch up from the store and compact
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              for (TestCluster.Node n : survivors) {
                assertEquals(410, historyStatus(n, s, token, early), n.replica() + " compacted");
              }
            });
    awaitConverged(survivors, s, token);
    for (TestCluster.Node n : survivors) {
      assertEquals(
          "from n3 on an old view",
          read(n, s, token).path("doc").path("tasks").path("on-n3").path("title").asText(),
          n.replica() + " lost n3's write");
    }
  }
}
