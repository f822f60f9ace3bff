package dev.chorus.server;

import static dev.chorus.server.ClusterChecks.awaitConverged;
import static dev.chorus.server.ClusterChecks.conflicts;
import static dev.chorus.server.ClusterChecks.planCounts;
import static dev.chorus.server.ClusterChecks.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * SCENARIOS 14: node n1 is cut off from n2 and n3 (two Hazelcast clusters with the same name that
 * do not know each other's address); A on n1 and B on n2, both having seen v1, set {@code
 * t1.status} differently, and both sides keep accepting writes. The cut heals (n1 learns the
 * others' address; Hazelcast's split-brain handler merges the clusters): the heal triggers a
 * catch-up from the shared store on every node, both writes survive, every node shows the same
 * conflict, and nothing acked on either side is lost. Periodic anti-entropy is off, so the heal
 * itself must trigger the catch-up.
 */
class ClusterPartitionIT extends PgClusterTestBase {
  private static int members(TestCluster.Node n) throws Exception {
    return Rest.get(n.base() + "/health", null).body().path("members").asInt();
  }

  @Test
  void splitBrain_bothSidesWrite_healUnitesLogsAndSurfacesTheConflict() throws Exception {
    TestCluster.InProcess n2 = cluster.start("n2", List.of("n2", "n3"), "--anti-entropy-ms", "0");
    TestCluster.InProcess n3 = cluster.start("n3", List.of("n2", "n3"), "--anti-entropy-ms", "0");
    TestCluster.InProcess n1 = cluster.start("n1", List.of("n1"), "--anti-entropy-ms", "0");
    List<TestCluster.Node> all = List.of(n1, n2, n3);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> members(n2) == 2);
    assertEquals(1, members(n1), "n1 is on its own");

    String s = "split-" + Long.toHexString(System.nanoTime());
    String token = TestCluster.token("reader", "human", s);
    try (WsClient b =
            WsClient.connect(clients, n2.port(), s, TestCluster.token("bob", "agent", s));
        WsClient c =
            WsClient.connect(clients, n3.port(), s, TestCluster.token("carol", "human", s))) {
      String v0 = b.hello(null, false).path("version").asText();
      c.hello(null, false);
      String v1 =
          b.write(
                  v0,
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"Summarise\",\"status\":\"todo\"}}]")
              .path("version")
              .asText();
      try (WsClient a =
          WsClient.connect(clients, n1.port(), s, TestCluster.token("alice", "human", s))) {
        // n1 opens the session from the shared store: it has v1
        assertEquals(v1, a.hello(null, false).path("version").asText());

        // both sides, having seen v1, write t1.status; both keep taking writes
        List<String> acked = new ArrayList<>();
        a.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
        b.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}]");
        for (int i = 0; i < 10; i++) {
          for (WsClient w : List.of(a, b)) {
            String id = (w == a ? "a" : "b") + i;
            JsonNode r =
                w.write(
                    v1,
                    "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\""
                        + id
                        + "\"}]");
            assertEquals("ack", r.path("type").asText());
            acked.add(id);
          }
        }
        // still cut: each side sees only its own write
        assertEquals(
            "done",
            read(n1, s, token).path("doc").path("tasks").path("t1").path("status").asText());
        assertEquals(
            "cancelled",
            read(n2, s, token).path("doc").path("tasks").path("t1").path("status").asText());
        assertEquals(1, members(n1));

        // heal
        n1.server.hazelcast().discover(cluster.address("n2"));
        n1.server.hazelcast().discover(cluster.address("n3"));
        n2.server.hazelcast().discover(cluster.address("n1"));
        n3.server.hazelcast().discover(cluster.address("n1"));
        Awaitility.await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> members(n1) == 3 && members(n2) == 3 && members(n3) == 3);

        awaitConverged(all, s, token);
        for (TestCluster.Node n : all) {
          JsonNode conflict = null;
          for (JsonNode x : conflicts(n, s, token)) {
            if (x.path("path").asText().equals("tasks/t1/status")) {
              conflict = x;
            }
          }
          assertTrue(conflict != null, "conflict surfaced on " + n.replica());
          List<String> values = new ArrayList<>();
          conflict.path("intents").forEach(i -> values.add(i.path("value").asText()));
          assertEquals(Set.of("done", "cancelled"), Set.copyOf(values), conflict.toString());
          Map<String, Integer> count = planCounts(read(n, s, token));
          for (String id : acked) {
            assertEquals(1, count.getOrDefault(id, 0), id + " on " + n.replica());
          }
        }
        for (WsClient w : List.of(a, b, c)) {
          w.await(
              f ->
                  f.path("type").asText().equals("conflict.opened")
                      && f.path("conflict").path("path").asText().equals("tasks/t1/status"));
        }

        // and the topics carry changes across the healed cut again, both ways (catch-up is off)
        a.write(
            read(n1, s, token).path("version").asText(),
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"healed-a\"}]");
        b.await(
            f ->
                f.path("type").asText().equals("change")
                    && f.path("ops").toString().contains("healed-a"));
        b.write(
            read(n2, s, token).path("version").asText(),
            "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"healed-b\"}]");
        a.await(
            f ->
                f.path("type").asText().equals("change")
                    && f.path("ops").toString().contains("healed-b"));
      }
    }
  }
}
