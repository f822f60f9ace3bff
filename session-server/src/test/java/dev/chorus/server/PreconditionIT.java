package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** SCENARIO 11: strict precondition over websocket and REST; nothing applied on refusal. */
class PreconditionIT extends ItBase {

  private static final String TASKS =
      "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"one\",\"status\":\"todo\"}},"
          + "{\"op\":\"set\",\"path\":\"tasks/t2\",\"value\":{\"title\":\"two\",\"status\":\"todo\"}}]";

  @Test
  void strictBatchOverWebsocket_touchingAPathChangedSinceItsBase_isRejectedWhole()
      throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        WsClient agent = WsClient.joined(clients, node.port(), s, node.agent("planner", s))) {
      String v1 =
          alice.write(alice.welcome().path("version").asText(), TASKS).path("version").asText();
      String v2 =
          alice
              .write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]")
              .path("version")
              .asText();
      // the agent still believes v1; its batch touches t1 (changed) and t2
      String id =
          agent.batch(
              v1,
              true,
              "[{\"op\":\"set\",\"path\":\"tasks/t2/title\",\"value\":\"two!\"},"
                  + "{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"}]");
      JsonNode err = agent.reply(id);
      assertEquals("error", err.path("type").asText());
      assertEquals("precondition_failed", err.path("code").asText());
      assertEquals(id, err.path("batchId").asText());
      JsonNode unseen = err.path("unseen").get(0);
      assertEquals("tasks/t1/status", unseen.path("path").asText());
      assertEquals("done", unseen.path("value").asText());
      assertEquals("alice", unseen.path("author").path("id").asText());
      // nothing applied: version and t2 unchanged
      Rest.Response doc = Rest.get(url(s), node.human("alice", s));
      assertEquals(v2, doc.body().path("version").asText());
      assertEquals("two", doc.body().path("doc").path("tasks").path("t2").path("title").asText());
      // the same batch touching only t2 is accepted
      JsonNode ok =
          agent.reply(
              agent.batch(
                  v1, true, "[{\"op\":\"set\",\"path\":\"tasks/t2/title\",\"value\":\"two!\"}]"));
      assertEquals("ack", ok.path("type").asText());
    }
  }

  @Test
  void ifMatchOverRest_staleVersion_gives412WithUnseenChanges_currentVersionSucceeds()
      throws Exception {
    String s = newSession();
    String alice = node.human("alice", s);
    String agent = node.agent("planner", s);
    Rest.Response r1 =
        Rest.post(url(s) + "/ops", alice, "{\"batchId\":\"init\",\"ops\":" + TASKS + "}");
    String etag1 = r1.header("ETag");
    assertEquals("\"" + r1.body().path("version").asText() + "\"", etag1);
    Rest.Response r2 =
        Rest.post(
            url(s) + "/ops",
            alice,
            "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]}",
            "Idempotency-Key",
            "a-1");
    assertEquals(200, r2.status());
    String body = "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"}]}";
    Rest.Response stale =
        Rest.post(url(s) + "/ops", agent, body, "If-Match", etag1, "Idempotency-Key", "g-1");
    assertEquals(412, stale.status());
    assertEquals("precondition_failed", stale.body().path("code").asText());
    assertEquals("tasks/t1/status", stale.body().path("unseen").get(0).path("path").asText());
    assertEquals("g-1", stale.body().path("batchId").asText());
    Rest.Response doc = Rest.get(url(s), alice);
    assertEquals("done", doc.body().path("doc").path("tasks").path("t1").path("status").asText());
    assertEquals(r2.body().path("version").asText(), doc.body().path("version").asText());
    Rest.Response fresh =
        Rest.post(
            url(s) + "/ops", agent, body, "If-Match", doc.header("ETag"), "Idempotency-Key", "g-2");
    assertEquals(200, fresh.status());
    assertTrue(fresh.body().path("version").asText().length() > 0);
  }
}
