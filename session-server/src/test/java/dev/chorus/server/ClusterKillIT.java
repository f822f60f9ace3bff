package dev.chorus.server;

import static dev.chorus.server.ClusterChecks.awaitConverged;
import static dev.chorus.server.ClusterChecks.planCounts;
import static dev.chorus.server.ClusterChecks.read;
import static dev.chorus.server.ClusterChecks.seenVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.clock.VersionVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The cluster ack promise: three nodes (two in this JVM, one a separate process) take a write burst
 * from clients on every node; the process is killed with SIGKILL in the middle. Every batch acked
 * by any node is on the survivors exactly once, the dead node's client resumes on a survivor with
 * {@code since} and re-sends everything (acked batches come back as duplicates), and a full stop
 * and start from PostgreSQL shows the same state.
 */
class ClusterKillIT extends PgClusterTestBase {
  private static final List<String> ALL = List.of("n1", "n2", "n3");

  private static String insert(String value) {
    return "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"" + value + "\"}]";
  }

  @Test
  void kill9OfANodeMidBurst_everyAckedBatchSurvives_clientsResumeElsewhere() throws Exception {
    List<TestCluster.Node> survivors = new ArrayList<>();
    survivors.add(cluster.start("n1", ALL));
    survivors.add(cluster.start("n2", ALL));
    TestCluster.Forked victim = cluster.fork("n3", ALL, TestServer.newDataDir().resolve("n3.log"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Rest.get(survivors.get(0).base() + "/health", null).body().path("members").asInt()
                    == 3);
    String s = "burst-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("reader", "human", s);
    List<TestCluster.Node> nodes = List.of(survivors.get(0), survivors.get(1), victim);
    List<WsClient> cs = new ArrayList<>();
    List<String> bases = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      WsClient c =
          WsClient.connect(
              clients, nodes.get(k).port(), s, TestCluster.token("writer" + k, "agent", s));
      bases.add(c.hello(null, false).path("version").asText());
      cs.add(c);
    }
    List<List<String>> sent = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    int perClient = 150;
    for (int i = 0; i < perClient; i++) {
      for (int k = 0; k < 3; k++) {
        String id = "c" + k + "-" + i;
        try {
          cs.get(k).batch(id, bases.get(k), false, insert(id));
          sent.get(k).add(id);
        } catch (RuntimeException e) {
          // the victim's connection died with it: re-sent after the resume
          if (k == 2 && !sent.get(2).contains(id)) {
            sent.get(2).add(id);
          }
        }
      }
      if (i == 60) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> cs.get(2).ofType("ack").size() >= 30);
        victim.kill(); // SIGKILL, mid-burst
      }
    }
    for (int k = 0; k < 2; k++) {
      for (String id : sent.get(k)) {
        assertEquals("ack", cs.get(k).reply(id).path("type").asText(), id);
      }
    }
    Set<String> acked = new HashSet<>();
    for (int k = 0; k < 3; k++) {
      for (JsonNode a : cs.get(k).ofType("ack")) {
        acked.add(a.path("batchId").asText());
      }
    }
    int victimAcks = cs.get(2).ofType("ack").size();
    assertTrue(victimAcks >= 30 && victimAcks < perClient, "victim acked " + victimAcks);
    System.out.println(
        "ClusterKillIT: " + acked.size() + " batches acked, " + victimAcks + " of them by n3");

    // every acked batch is on both survivors, once
    awaitConverged(survivors, s, token);
    for (TestCluster.Node n : survivors) {
      Map<String, Integer> count = planCounts(read(n, s, token));
      for (String id : acked) {
        assertEquals(1, count.getOrDefault(id, 0), id + " on " + n.replica());
      }
      count.values().forEach(c -> assertEquals(1, c, "no batch twice"));
    }

    // the victim's client resumes on a survivor and re-sends everything it sent or meant to
    String since = seenVersion(cs.get(2));
    cs.get(2).close();
    try (WsClient again =
        WsClient.connect(
            clients, survivors.get(0).port(), s, TestCluster.token("writer2", "agent", s))) {
      JsonNode w = again.hello(since, false);
      if (!w.path("resumed").asBoolean()) {
        // A change frame carries the version of n3's document when it went out, which may include
        // this client's own batches n3 had applied but not made durable when it died (never
        // acked). No survivor has those, so it cannot resume from there: it sends the whole
        // document, and the client re-sends those batches below. Only n3 may be ahead.
        assertTrue(w.has("doc"), "no resume, so the whole document: " + w);
        VersionVector have = VersionVector.parse(w.path("version").asText());
        VersionVector.parse(since)
            .asMap()
            .forEach(
                (replica, counter) ->
                    assertTrue(
                        counter <= have.get(replica) || replica.equals("n3"),
                        "since " + since + " is ahead of a survivor (" + have + ") on " + replica));
      }
      for (String id : sent.get(2)) {
        again.batch(id, bases.get(2), false, insert(id));
      }
      for (String id : sent.get(2)) {
        JsonNode r = again.reply(id);
        assertEquals("ack", r.path("type").asText(), r.toString());
        if (acked.contains(id)) {
          assertTrue(r.path("duplicate").asBoolean(), id + " was acked by n3 before the kill");
        }
      }
    }
    String hash = awaitConverged(survivors, s, token);
    Map<String, Integer> count = planCounts(read(survivors.get(1), s, token));
    assertEquals(3 * perClient, count.size());
    count.values().forEach(c -> assertEquals(1, c, "no batch twice"));

    // full stop, then the whole cluster again from PostgreSQL
    for (TestCluster.Node n : survivors) {
      n.stop();
    }
    cluster.newHazelcastPorts();
    List<TestCluster.Node> again = new ArrayList<>();
    for (String r : ALL) {
      again.add(cluster.start(r, ALL));
    }
    assertEquals(hash, awaitConverged(again, s, token), "same state after a full restart");
  }
}
