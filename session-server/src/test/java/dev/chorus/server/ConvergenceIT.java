package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Two humans and one agent edit one session over websockets: everyone ends in the same state. */
class ConvergenceIT extends ItBase {

  /** The latest view a snapshot client has: the ack or change frame with the newest version. */
  private static JsonNode latestView(WsClient c) {
    JsonNode best = c.welcome();
    for (JsonNode f : c.frames) {
      String t = f.path("type").asText();
      if ((t.equals("ack") || t.equals("change")) && f.has("stateHash")) {
        if (counter(f.path("version").asText()) > counter(best.path("version").asText())) {
          best = f;
        }
      }
    }
    return best;
  }

  private static long counter(String version) {
    return version.isEmpty() ? 0 : Long.parseLong(version.substring(version.lastIndexOf(':') + 1));
  }

  @Test
  void twoHumansAndAnAgent_concurrentEdits_convergeToTheSameStateHash() throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.connect(clients, node.port(), s, node.human("alice", s));
        WsClient bob = WsClient.connect(clients, node.port(), s, node.human("bob", s));
        WsClient agent = WsClient.connect(clients, node.port(), s, node.agent("planner", s))) {
      List<WsClient> all = List.of(alice, bob, agent);
      String v0 = alice.hello(null, true).path("version").asText();
      bob.hello(null, true);
      agent.hello(null, true);
      // shared fixtures: a task and a plan step everybody fights over
      JsonNode ack =
          alice.write(
              v0,
              "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"Summarise\",\"status\":\"todo\"}},"
                  + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"first\"}},"
                  + "{\"op\":\"set\",\"path\":\"votes\",\"value\":{\"$counter\":0}}]");
      String step = ack.path("results").get(1).path("id").asText();
      String base = ack.path("version").asText();

      Random rnd = new Random(42);
      String[] statuses = {"todo", "doing", "done", "cancelled"};
      List<String> ids = new ArrayList<>();
      List<WsClient> senders = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        WsClient c = all.get(i % 3);
        String op;
        switch (rnd.nextInt(4)) {
          case 0:
            op =
                "{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\""
                    + statuses[rnd.nextInt(4)]
                    + "\"}";
            break;
          case 1:
            op =
                "{\"op\":\"insert\",\"path\":\"plan\",\"after\":\""
                    + step
                    + "\",\"value\":{\"title\":\"s"
                    + i
                    + "\"}}";
            break;
          case 2:
            op = "{\"op\":\"increment\",\"path\":\"votes\",\"by\":" + (1 + rnd.nextInt(3)) + "}";
            break;
          default:
            op =
                "{\"op\":\"set\",\"path\":\"tasks/t"
                    + (2 + rnd.nextInt(3))
                    + "\",\"value\":{\"title\":\"x"
                    + i
                    + "\",\"status\":\"todo\"}}";
        }
        // every writer writes from the same stale base: concurrent by construction
        ids.add(c.batch(base, false, "[" + op + "]"));
        senders.add(c);
      }
      for (int i = 0; i < ids.size(); i++) {
        assertEquals("ack", senders.get(i).reply(ids.get(i)).path("type").asText());
      }
      Rest.Response r = Rest.get(url(s), node.human("alice", s));
      String hash = r.body().path("stateHash").asText();
      String version = r.body().path("version").asText();
      for (WsClient c : all) {
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(15))
            .until(() -> latestView(c).path("version").asText().equals(version));
        JsonNode view = latestView(c);
        assertEquals(hash, view.path("stateHash").asText(), "state hash of a client");
        assertEquals(r.body().path("doc"), view.path("doc"), "document of a client");
      }
      // every client saw every version exactly once (own acks + others' changes)
      for (WsClient c : all) {
        long n =
            c.frames.stream()
                .filter(f -> f.path("type").asText().matches("ack|change"))
                .map(f -> f.path("version").asText())
                .distinct()
                .count();
        assertEquals(61, n, "versions seen by a client");
      }
      assertTrue(r.body().path("doc").path("votes").asLong() > 0);
    }
  }
}
