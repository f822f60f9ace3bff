package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SCENARIOS 1–3: concurrent assignment → conflict with both intents; a third write resolves it. */
class DualWriterRaceIT extends ItBase {

  private static String setStatus(String value) {
    return "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"" + value + "\"}]";
  }

  private static void assertBothIntents(JsonNode conflict) {
    assertEquals("concurrent_assignment", conflict.path("kind").asText());
    assertEquals("tasks/t1/status", conflict.path("path").asText());
    Set<String> seen = new HashSet<>();
    for (JsonNode i : conflict.path("intents")) {
      seen.add(
          i.path("author").path("id").asText()
              + "/"
              + i.path("author").path("kind").asText()
              + "="
              + i.path("value").asText());
      assertTrue(i.path("op").asText().matches("\\d+@n1"), "op id " + i);
    }
    assertEquals(Set.of("alice/human=done", "planner/agent=cancelled"), seen);
    assertTrue(conflict.path("summary").asText().length() > 0);
  }

  @Test
  void humanAndAgentWriteStatusFromTheSameVersion_bothKept_conflictPushedToBoth_thirdWriteResolves()
      throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        WsClient agent = WsClient.joined(clients, node.port(), s, node.agent("planner", s));
        WsClient carol = WsClient.joined(clients, node.port(), s, node.human("carol", s))) {
      String v0 = alice.welcome().path("version").asText();
      String v1 =
          alice
              .write(
                  v0,
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]")
              .path("version")
              .asText();
      // both based on v1: a race
      String a = alice.batch(v1, false, setStatus("done"));
      String b = agent.batch(v1, false, setStatus("cancelled"));
      assertEquals("ack", alice.reply(a).path("type").asText());
      assertEquals("ack", agent.reply(b).path("type").asText());

      for (WsClient c : List.of(alice, agent, carol)) {
        JsonNode opened = c.await(f -> f.path("type").asText().equals("conflict.opened"));
        assertBothIntents(opened.path("conflict"));
      }
      Rest.Response conflicts = Rest.get(url(s) + "/conflicts", node.human("carol", s));
      assertEquals(200, conflicts.status());
      assertEquals(1, conflicts.body().path("conflicts").size());
      assertBothIntents(conflicts.body().path("conflicts").get(0));
      String winner = conflicts.body().path("conflicts").get(0).path("winner").asText();
      Rest.Response doc = Rest.get(url(s), node.human("carol", s));
      assertEquals(winner, doc.body().path("doc").path("tasks").path("t1").path("status").asText());

      // carol has seen both values: her resolve supersedes both
      carol.send(
          WsClient.M.readTree(
              "{\"type\":\"resolve\",\"batchId\":\"r-1\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}"));
      assertEquals("ack", carol.reply("r-1").path("type").asText());
      for (WsClient c : List.of(alice, agent, carol)) {
        JsonNode resolved = c.await(f -> f.path("type").asText().equals("conflict.resolved"));
        assertEquals("carol", resolved.path("by").path("id").asText());
        assertEquals("human", resolved.path("by").path("kind").asText());
        assertBothIntents(resolved.path("conflict"));
      }
      Rest.Response after = Rest.get(url(s), node.human("carol", s));
      assertEquals(
          "done", after.body().path("doc").path("tasks").path("t1").path("status").asText());
      assertEquals(0, after.body().path("conflicts").size());
    }
  }

  @Test
  void writerThatSawTheOtherValue_supersedesIt_noConflict() throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        WsClient agent = WsClient.joined(clients, node.port(), s, node.agent("planner", s))) {
      String v0 = alice.welcome().path("version").asText();
      String v1 =
          alice
              .write(
                  v0,
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]")
              .path("version")
              .asText();
      String v2 = alice.write(v1, setStatus("done")).path("version").asText();
      agent.write(v2, setStatus("cancelled"));
      Rest.Response doc = Rest.get(url(s), node.human("alice", s));
      assertEquals(
          "cancelled", doc.body().path("doc").path("tasks").path("t1").path("status").asText());
      assertEquals(0, doc.body().path("conflicts").size());
      assertTrue(alice.ofType("conflict.opened").isEmpty());
    }
  }

  @Test
  void raceOverRest_conflictListedAndResolvedByRestResolve() throws Exception {
    String s = newSession();
    String alice = node.human("alice", s);
    String agent = node.agent("planner", s);
    Rest.Response init =
        Rest.post(
            url(s) + "/ops",
            alice,
            "{\"batchId\":\"i\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]}");
    assertEquals(200, init.status(), init.body().toString());
    String v1 = init.body().path("version").asText();
    assertEquals(
        200,
        Rest.post(
                url(s) + "/ops",
                alice,
                "{\"batchId\":\"a\",\"basedOn\":\"" + v1 + "\",\"ops\":" + setStatus("done") + "}")
            .status());
    assertEquals(
        200,
        Rest.post(
                url(s) + "/ops",
                agent,
                "{\"batchId\":\"b\",\"basedOn\":\""
                    + v1
                    + "\",\"ops\":"
                    + setStatus("cancelled")
                    + "}")
            .status());
    Rest.Response c = Rest.get(url(s) + "/conflicts", alice);
    assertBothIntents(c.body().path("conflicts").get(0));
    Rest.Response r =
        Rest.post(
            url(s) + "/resolve",
            alice,
            "{\"batchId\":\"r\",\"path\":\"tasks/t1/status\",\"value\":\"cancelled\"}");
    assertEquals(200, r.status(), String.valueOf(r.body()));
    assertEquals(0, Rest.get(url(s) + "/conflicts", alice).body().path("conflicts").size());
  }
}
