package dev.chorus.server;

import static dev.chorus.server.ClusterChecks.awaitConverged;
import static dev.chorus.server.ClusterChecks.conflicts;
import static dev.chorus.server.ClusterChecks.lastHash;
import static dev.chorus.server.ClusterChecks.read;
import static dev.chorus.server.ClusterChecks.seenVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.clock.VersionVector;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three nodes (Hazelcast members on loopback, one PostgreSQL store), clients spread over them, real
 * websockets: concurrent conflicting writes converge to one state hash and the same open conflicts
 * on every node and client; presence and conflict events cross nodes; a client resumes on another
 * node with exactly what it missed; a node that joins late catches up before its first welcome; a
 * full stop and start from PostgreSQL shows the same state hashes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static PgServer pg;
  private static TestCluster cluster;
  private static Vertx clients;
  private static final List<TestCluster.Node> nodes = new ArrayList<>();
  private static final Map<String, String> hashes = new LinkedHashMap<>();
  private static final List<String> ALL = List.of("n1", "n2", "n3");

  @BeforeAll
  static void start() throws Exception {
    pg = PgServer.start();
    cluster = new TestCluster(pg.newDatabase());
    for (String r : ALL) {
      nodes.add(cluster.start(r, ALL));
    }
    clients = Vertx.vertx();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Rest.get(nodes.get(0).base() + "/health", null).body().path("members").asInt()
                    == 3);
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) {
      clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private static void awaitSeen(WsClient c, String version) {
    VersionVector want = VersionVector.parse(version);
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> VersionVector.parse(seenVersion(c)).dominates(want));
  }

  @Test
  @Order(1)
  void clientsOnThreeNodes_concurrentConflictingWrites_convergeWithTheSameConflicts()
      throws Exception {
    String s = "conv-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("reader", "human", s);
    try (WsClient alice =
            WsClient.connect(
                clients, nodes.get(0).port(), s, TestCluster.token("alice", "human", s));
        WsClient bob =
            WsClient.connect(
                clients, nodes.get(1).port(), s, TestCluster.token("bob", "human", s));
        WsClient agent =
            WsClient.connect(
                clients, nodes.get(2).port(), s, TestCluster.token("planner", "agent", s))) {
      List<WsClient> all = List.of(alice, bob, agent);
      String v0 = alice.hello(null, true).path("version").asText();
      bob.hello(null, true);
      agent.hello(null, true);
      JsonNode ack =
          alice.write(
              v0,
              "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"Summarise\",\"status\":\"todo\"}},"
                  + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"first\"}},"
                  + "{\"op\":\"set\",\"path\":\"votes\",\"value\":{\"$counter\":0}}]");
      String step = ack.path("results").get(1).path("id").asText();
      String base = ack.path("version").asText();
      awaitSeen(bob, base);
      awaitSeen(agent, base);

      // SCENARIOS 1 across nodes: three writers saw v1 and set t1.status at once, each on its node
      String[] status = {"done", "cancelled", "doing"};
      List<String> ids = new ArrayList<>();
      List<WsClient> senders = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ids.add(
            all.get(i)
                .batch(
                    base,
                    false,
                    "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\""
                        + status[i]
                        + "\"}]"));
        senders.add(all.get(i));
      }
      // and a burst of concurrent edits elsewhere, each based on what its writer has seen
      Random rnd = new Random(7);
      int inserts = 0;
      for (int i = 0; i < 90; i++) {
        WsClient c = all.get(i % 3);
        String op;
        switch (rnd.nextInt(3)) {
          case 0:
            inserts++;
            op =
                "{\"op\":\"insert\",\"path\":\"plan\",\"after\":\""
                    + step
                    + "\",\"value\":{\"title\":\"s"
                    + i
                    + "\"}}";
            break;
          case 1:
            op = "{\"op\":\"increment\",\"path\":\"votes\",\"by\":" + (1 + rnd.nextInt(3)) + "}";
            break;
          default:
            op =
                "{\"op\":\"set\",\"path\":\"tasks/t"
                    + (2 + rnd.nextInt(3))
                    + "\",\"value\":{\"title\":\"x"
                    + i
                    + "\"}}";
        }
        ids.add(c.batch(seenVersion(c), false, "[" + op + "]"));
        senders.add(c);
      }
      for (int i = 0; i < ids.size(); i++) {
        JsonNode r = senders.get(i).reply(ids.get(i));
        assertEquals("ack", r.path("type").asText(), r.toString());
      }

      String hash = awaitConverged(nodes, s, token);
      hashes.put(s, hash);
      for (TestCluster.Node n : nodes) {
        JsonNode open = conflicts(n, s, token);
        JsonNode c = null;
        for (JsonNode x : open) {
          if (x.path("path").asText().equals("tasks/t1/status")) {
            c = x;
          }
        }
        assertTrue(c != null, "conflict on " + n.replica() + ": " + open);
        assertEquals(3, c.path("intents").size(), c.toString());
      }
      JsonNode body = read(nodes.get(0), s, token);
      assertEquals(1 + inserts, body.path("doc").path("plan").size(), "every plan step once");
      for (WsClient c : all) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> hash.equals(lastHash(c)));
        assertTrue(
            c.frames.stream()
                .anyMatch(
                    f ->
                        f.path("type").asText().equals("conflict.opened")
                            && f.path("conflict").path("path").asText().equals("tasks/t1/status")),
            "conflict.opened reached every client");
      }

      // presence crosses nodes
      alice.send(WsClient.M.readTree("{\"type\":\"presence\",\"state\":{\"focus\":\"tasks/t1\"}}"));
      for (WsClient c : List.of(bob, agent)) {
        c.await(
            f ->
                f.path("type").asText().equals("presence")
                    && f.path("participant").path("actor").path("id").asText().equals("alice"));
      }
    }
  }

  @Test
  @Order(2)
  void clientResumesOnAnotherNode_withSince_receivesExactlyWhatItMissed() throws Exception {
    String s = "resume-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("reader", "human", s);
    try (WsClient alice =
        WsClient.connect(clients, nodes.get(0).port(), s, TestCluster.token("alice", "human", s))) {
      String v = alice.hello(null, false).path("version").asText();
      WsClient bob =
          WsClient.connect(clients, nodes.get(1).port(), s, TestCluster.token("bob", "human", s));
      bob.hello(null, false);
      String v1 =
          alice
              .write(v, "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"a\"}}]")
              .path("version")
              .asText();
      awaitSeen(bob, v1);
      String since = seenVersion(bob);
      bob.close();
      List<String> missed = new ArrayList<>();
      String cur = v1;
      for (int i = 0; i < 5; i++) {
        String id =
            alice.batch(
                cur,
                false,
                "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"m" + i + "\"}]");
        cur = alice.reply(id).path("version").asText();
        missed.add(id);
      }
      // bob comes back on a third node, right away
      try (WsClient again =
          WsClient.connect(clients, nodes.get(2).port(), s, TestCluster.token("bob", "human", s))) {
        JsonNode w = again.hello(since, false);
        assertTrue(w.path("resumed").asBoolean(), w.toString());
        List<String> got = new ArrayList<>();
        for (JsonNode ch : w.path("changes")) {
          got.add(ch.path("batchId").asText());
        }
        assertEquals(missed, got, "exactly the missed batches, in order");
        assertEquals(cur, w.path("version").asText());
      }
      awaitConverged(nodes, s, token);
    }
  }

  @Test
  @Order(3)
  void lateNode_catchesUpBeforeItsFirstWelcome_andAFullRestartFromPostgresKeepsTheHashes()
      throws Exception {
    String s = "late-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("reader", "human", s);
    try (WsClient alice =
        WsClient.connect(clients, nodes.get(0).port(), s, TestCluster.token("alice", "human", s))) {
      String v = alice.hello(null, false).path("version").asText();
      for (int i = 0; i < 20; i++) {
        v =
            alice
                .write(
                    v,
                    "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"p"
                        + i
                        + "\"}]")
                .path("version")
                .asText();
      }
      hashes.put(s, awaitConverged(nodes, s, token));
      TestCluster.Node late = cluster.start("n4", List.of("n1", "n2", "n3", "n4"));
      nodes.add(late);
      try (WsClient carol =
          WsClient.connect(clients, late.port(), s, TestCluster.token("carol", "human", s))) {
        JsonNode w = carol.hello(null, false);
        assertEquals(v, w.path("version").asText(), "no stale welcome");
        assertEquals(hashes.get(s), w.path("stateHash").asText());
        assertEquals(20, w.path("doc").path("plan").size());
      }
    }

    // full stop, then start from PostgreSQL alone (Hazelcast holds nothing that survives it)
    for (TestCluster.Node n : nodes) {
      n.stop();
    }
    nodes.clear();
    cluster.newHazelcastPorts();
    for (String r : ALL) {
      nodes.add(cluster.start(r, ALL));
    }
    for (Map.Entry<String, String> e : hashes.entrySet()) {
      String t = TestCluster.token("reader", "human", e.getKey());
      assertEquals(e.getValue(), awaitConverged(nodes, e.getKey(), t), "hash of " + e.getKey());
    }
  }
}
