package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Presence (ephemeral, broadcast, left on disconnect) and the per-actor rate limit. */
class PresenceAndLimitsIT {
  static TestServer node;
  static Vertx clients;

  @BeforeAll
  static void start() throws Exception {
    node = TestServer.start("--ops-per-second", "5", "--presence-ttl-ms", "1500");
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void presence_isBroadcast_expires_andLeavesWithTheConnection() throws Exception {
    String s = "presence";
    try (WsClient bob = WsClient.joined(clients, node.port(), s, node.human("bob", s))) {
      WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
      alice.send(WsClient.M.readTree("{\"type\":\"presence\",\"state\":{\"focus\":\"tasks/t1\"}}"));
      JsonNode p = bob.await(f -> f.path("type").asText().equals("presence"));
      assertEquals("alice", p.path("participant").path("actor").path("id").asText());
      assertEquals("tasks/t1", p.path("participant").path("state").path("focus").asText());
      // not refreshed within the TTL: it expires, and everyone is told
      JsonNode expired =
          bob.await(f -> f.path("type").asText().equals("presence") && f.path("left").asBoolean());
      assertEquals("alice", expired.path("participant").path("actor").path("id").asText());
      // refreshed, then the connection goes away: left again
      alice.send(WsClient.M.readTree("{\"type\":\"presence\",\"state\":{\"focus\":\"plan\"}}"));
      bob.await(f -> f.path("participant").path("state").path("focus").asText().equals("plan"));
      int before = bob.ofType("presence").size();
      alice.close();
      bob.await(f -> bob.ofType("presence").size() > before);
      assertTrue(bob.ofType("presence").get(before).path("left").asBoolean());
    }
  }

  @Test
  void actorOverItsOpsPerSecond_isRateLimitedWithRetryAfter() throws Exception {
    String s = "limits";
    String token = node.agent("greedy", s);
    StringBuilder ops = new StringBuilder("[");
    for (int i = 0; i < 11; i++) {
      ops.append(i == 0 ? "" : ",")
          .append("{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"s")
          .append(i)
          .append("\"}");
    }
    ops.append("]");
    try (WsClient c = WsClient.joined(clients, node.port(), s, token)) {
      JsonNode err = c.reply(c.batch(c.welcome().path("version").asText(), false, ops.toString()));
      assertEquals("rate_limited", err.path("code").asText());
      assertTrue(err.path("retryAfterMs").asLong() > 0);
    }
    Rest.Response r =
        Rest.post(
            node.base() + "/v1/sessions/" + s + "/ops",
            token,
            "{\"batchId\":\"r\",\"ops\":" + ops + "}");
    assertEquals(429, r.status());
    assertEquals("rate_limited", r.body().path("code").asText());
    assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1);
    assertEquals(
        0,
        Rest.get(node.base() + "/v1/sessions/" + s, token).body().path("doc").path("plan").size());
  }
}
