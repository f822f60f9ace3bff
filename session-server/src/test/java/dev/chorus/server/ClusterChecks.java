package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.clock.VersionVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;

/** What the cluster tests check on nodes and clients, with bounded waits. */
final class ClusterChecks {
  private ClusterChecks() {}

  static JsonNode read(TestCluster.Node n, String session, String token) throws Exception {
    Rest.Response r = Rest.get(n.base() + "/v1/sessions/" + session, token);
    assertEquals(200, r.status(), "GET on " + n.replica() + ": " + r.body());
    return r.body();
  }

  static JsonNode conflicts(TestCluster.Node n, String session, String token) throws Exception {
    return Rest.get(n.base() + "/v1/sessions/" + session + "/conflicts", token)
        .body()
        .path("conflicts");
  }

  /**
   * Waits until every node shows the same version, state hash and open conflicts; returns the hash.
   */
  static String awaitConverged(List<? extends TestCluster.Node> nodes, String session, String token)
      throws Exception {
    AtomicReference<String> hash = new AtomicReference<>();
    AtomicReference<String> last = new AtomicReference<>("");
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                List<String> seen = new ArrayList<>();
                for (TestCluster.Node n : nodes) {
                  JsonNode b = read(n, session, token);
                  seen.add(
                      b.path("version").asText()
                          + " "
                          + b.path("stateHash").asText()
                          + " "
                          + b.path("conflicts").toString());
                }
                last.set(String.join("\n", seen));
                if (seen.stream().distinct().count() == 1) {
                  hash.set(read(nodes.get(0), session, token).path("stateHash").asText());
                  return true;
                }
                return false;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("nodes did not converge:\n" + last.get(), e);
    }
    return hash.get();
  }

  /** How often each string shows as a plan step on a node. */
  static Map<String, Integer> planCounts(JsonNode body) {
    Map<String, Integer> count = new HashMap<>();
    for (JsonNode step : body.path("doc").path("plan")) {
      count.merge(step.path("value").asText(), 1, Integer::sum);
    }
    return count;
  }

  /**
   * The state hash a snapshot client has for the newest version it was told about (an ack carries
   * the view right after its batch, which may arrive after newer changes: go by version, not by
   * arrival); null if no frame carries that version.
   */
  static String lastHash(WsClient c) {
    String newest = seenVersion(c);
    String h = null;
    for (JsonNode f : c.frames) {
      if (f.has("stateHash") && f.path("version").asText().equals(newest)) {
        h = f.path("stateHash").asText();
      }
    }
    return h;
  }

  /**
   * Everything a client was told about: the merge of the versions of its welcome, acks, changes.
   */
  static String seenVersion(WsClient c) {
    VersionVector v = VersionVector.EMPTY;
    for (JsonNode f : c.frames) {
      String t = f.path("type").asText();
      if (t.equals("welcome") || t.equals("ack") || t.equals("change")) {
        v = v.merge(VersionVector.parse(f.path("version").asText()));
      }
    }
    return v.toString();
  }
}
