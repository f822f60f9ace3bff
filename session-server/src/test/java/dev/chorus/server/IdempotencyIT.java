package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SCENARIO 12 and resume: a re-sent batch applies once; resume gets exactly the missed changes. */
class IdempotencyIT extends ItBase {

  private static int planSize(String s) throws Exception {
    return Rest.get(url(s), node.human("x", s)).body().path("doc").path("plan").size();
  }

  @Test
  void batchResentAfterDroppedConnection_isAppliedOnce_andAckedWithTheSameVersion()
      throws Exception {
    String s = newSession();
    String token = node.agent("planner", s);
    String ops =
        "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"once\"}}]";
    String base;
    try (WsClient first = WsClient.joined(clients, node.port(), s, token)) {
      base = first.welcome().path("version").asText();
      first.batch("X", base, false, ops);
      // drop the connection right away, without waiting for the ack
    }
    try (WsClient again = WsClient.joined(clients, node.port(), s, token)) {
      JsonNode ack1 = again.reply(again.batch("X", base, false, ops));
      assertEquals("ack", ack1.path("type").asText());
      assertTrue(ack1.path("duplicate").asBoolean(), "the first send was applied before the drop");
      again.frames.clear();
      JsonNode ack2 = again.reply(again.batch("X", base, false, ops));
      assertEquals(ack1.path("version"), ack2.path("version"));
      assertEquals(ack1.path("results"), ack2.path("results"));
      assertEquals(1, planSize(s));
      // same id, other content
      again.frames.clear();
      JsonNode reused =
          again.reply(
              again.batch(
                  "X",
                  base,
                  false,
                  "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"other\"}]"));
      assertEquals("batch_id_reused", reused.path("code").asText());
      assertEquals(1, planSize(s));
    }
  }

  @Test
  void restRetryWithTheSameIdempotencyKey_isAppliedOnce() throws Exception {
    String s = newSession();
    String token = node.agent("planner", s);
    String body =
        "{\"ops\":[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"step\"}]}";
    Rest.Response a = Rest.post(url(s) + "/ops", token, body, "Idempotency-Key", "k-1");
    Rest.Response b = Rest.post(url(s) + "/ops", token, body, "Idempotency-Key", "k-1");
    assertEquals(200, a.status());
    assertEquals(200, b.status());
    assertEquals(a.body().path("version"), b.body().path("version"));
    assertTrue(b.body().path("duplicate").asBoolean());
    assertEquals(1, planSize(s));
    Rest.Response missing = Rest.post(url(s) + "/ops", token, body);
    assertEquals(400, missing.status());
    assertEquals("bad_frame", missing.body().path("code").asText());
  }

  @Test
  void resumeWithSince_receivesExactlyTheMissedChanges() throws Exception {
    String s = newSession();
    String since;
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s))) {
      since =
          alice
              .write(
                  alice.welcome().path("version").asText(),
                  "[{\"op\":\"set\",\"path\":\"tasks/t0\",\"value\":{\"title\":\"seen\"}}]")
              .path("version")
              .asText();
    }
    List<String> missed = new ArrayList<>();
    try (WsClient bob = WsClient.joined(clients, node.port(), s, node.human("bob", s))) {
      String v = bob.welcome().path("version").asText();
      for (int i = 0; i < 3; i++) {
        String id =
            bob.batch(
                v,
                false,
                "[{\"op\":\"set\",\"path\":\"tasks/t"
                    + (i + 1)
                    + "\",\"value\":{\"title\":\"m"
                    + i
                    + "\"}}]");
        JsonNode ack = bob.reply(id);
        v = ack.path("version").asText();
        missed.add(id);
      }
    }
    try (WsClient alice = WsClient.connect(clients, node.port(), s, node.human("alice", s))) {
      JsonNode w = alice.hello(since, false);
      assertTrue(w.path("resumed").asBoolean(), w.toString());
      List<String> got = new ArrayList<>();
      for (JsonNode c : w.path("changes")) {
        got.add(c.path("batchId").asText());
        assertEquals("bob", c.path("author").path("id").asText());
      }
      assertEquals(missed, got);
      assertTrue(w.path("doc").isMissingNode(), "a resume sends no snapshot");
    }
    // REST history says the same
    Rest.Response h = Rest.get(url(s) + "/history?since=" + since, node.human("alice", s));
    assertEquals(200, h.status());
    assertEquals(3, h.body().path("changes").size());
  }
}
