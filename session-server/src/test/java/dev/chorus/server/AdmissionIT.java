package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission control and the per-session rate limit (issue 7): a saturated node answers {@code
 * overloaded} with a jittered {@code retryAfterMs} (HTTP 503 + {@code Retry-After}) on connect and
 * on session load instead of timing out; a session over its ops per second answers {@code
 * rate_limited} with nothing of the batch applied, whoever the actor.
 */
class AdmissionIT {
  static TestServer node;
  static Vertx clients;

  @BeforeAll
  static void start() throws Exception {
    node =
        TestServer.start(
            "--max-connections", "3",
            "--max-sessions", "2",
            "--session-ops-per-second", "5",
            "--ops-per-second", "1000");
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node.close();
  }

  private static String url(String s) {
    return node.base() + "/v1/sessions/" + s;
  }

  @Test
  void connectionsOverTheMaximum_getOverloadedWithJitteredRetryAfter() throws Exception {
    // connections other tests closed are gone (the server counts them down on its side)
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> Rest.get(node.base() + "/health", null).body().path("connections").asInt() == 0);
    List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(WsClient.joined(clients, node.port(), "a", node.human("u" + i, "a")));
      }
      Set<Long> waits = new HashSet<>();
      for (int i = 0; i < 8; i++) {
        UpgradeRejectedException e =
            assertThrows(
                UpgradeRejectedException.class,
                () -> WsClient.connect(clients, node.port(), "a", node.human("late", "a")));
        assertEquals(503, e.getStatus());
        JsonNode body = WsClient.M.readTree(e.getBody().toString());
        assertEquals("overloaded", body.path("code").asText());
        long wait = body.path("retryAfterMs").asLong();
        assertTrue(wait >= 1000 && wait <= 1500, body.toString());
        assertTrue(Integer.parseInt(e.getHeaders().get("Retry-After")) >= 1);
        waits.add(wait);
      }
      assertTrue(waits.size() > 1, "retryAfterMs is jittered: " + waits);
      // a slot frees: the next client gets in (after its backoff)
      open.remove(0).close();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                try {
                  open.add(WsClient.joined(clients, node.port(), "a", node.human("late", "a")));
                  return true;
                } catch (UpgradeRejectedException e) {
                  return false;
                }
              });
    } finally {
      for (WsClient c : open) {
        c.close();
      }
    }
  }

  @Test
  void eventStreamsHoldConnectionsToo_refusedOverTheMaximumLikeWebsockets_slotFreedOnClose()
      throws Exception {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> Rest.get(node.base() + "/health", null).body().path("connections").asInt() == 0);
    List<AutoCloseable> open = new ArrayList<>();
    try {
      open.add(WsClient.joined(clients, node.port(), "a", node.human("u0", "a")));
      for (int i = 1; i < 3; i++) {
        SseClient s = SseClient.open(url("a") + "/events", node.human("r" + i, "a"), null);
        assertEquals(200, s.status);
        s.awaitType("welcome");
        open.add(s);
      }
      assertEquals(3, Rest.get(node.base() + "/health", null).body().path("connections").asInt());

      // a stream over the maximum: the websocket's refusal, status, code and hint alike
      SseClient late = SseClient.open(url("a") + "/events", node.human("late", "a"), null);
      assertEquals(503, late.status);
      JsonNode body = WsClient.M.readTree(late.errorBody);
      assertEquals("overloaded", body.path("code").asText());
      long wait = body.path("retryAfterMs").asLong();
      assertTrue(wait >= 1000 && wait <= 1500, body.toString());
      // and the streams fill the node for websockets as well
      UpgradeRejectedException e =
          assertThrows(
              UpgradeRejectedException.class,
              () -> WsClient.connect(clients, node.port(), "a", node.human("late", "a")));
      assertEquals(503, e.getStatus());

      // a stream ends: its slot is free again
      open.remove(open.size() - 1).close();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  Rest.get(node.base() + "/health", null).body().path("connections").asInt() == 2);
      SseClient next = SseClient.open(url("a") + "/events", node.human("late", "a"), null);
      open.add(next);
      assertEquals(200, next.status);
      next.awaitType("welcome");
    } finally {
      for (AutoCloseable c : open) {
        c.close();
      }
    }
  }

  @Test
  void loadingSessionsOverTheMaximum_getOverloaded_loadedOnesStillServe() throws Exception {
    assertEquals(200, Rest.get(url("a"), node.human("r", "a")).status());
    assertEquals(200, Rest.get(url("b"), node.human("r", "b")).status());
    Rest.Response refused = Rest.get(url("c"), node.human("r", "c"));
    assertEquals(503, refused.status());
    assertEquals("overloaded", refused.body().path("code").asText());
    assertTrue(refused.body().path("retryAfterMs").asLong() >= 1000);
    assertTrue(Integer.parseInt(refused.header("Retry-After")) >= 1);
    UpgradeRejectedException e =
        assertThrows(
            UpgradeRejectedException.class,
            () -> WsClient.connect(clients, node.port(), "c", node.human("r", "c")));
    assertEquals(503, e.getStatus());
    Rest.Response post =
        Rest.post(
            url("c") + "/ops",
            node.human("r", "c"),
            "{\"batchId\":\"c1\",\"ops\":[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"x\"}]}");
    assertEquals(503, post.status());
    // the loaded sessions are unaffected
    assertEquals(200, Rest.get(url("b"), node.human("r", "b")).status());
    assertEquals(200, Rest.get(node.base() + "/health", null).status());
  }

  @Test
  void aSessionOverItsOpsPerSecond_isRateLimited_forEveryActor_andNothingIsApplied()
      throws Exception {
    String s = "b";
    String before = Rest.get(url(s), node.human("r", s)).body().path("doc").path("plan").toString();
    int planBefore = Rest.get(url(s), node.human("r", s)).body().path("doc").path("plan").size();
    StringBuilder ops = new StringBuilder("[");
    for (int i = 0; i < 8; i++) {
      ops.append(i == 0 ? "" : ",")
          .append("{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"s")
          .append(i)
          .append("\"}");
    }
    ops.append("]");
    // the session's burst is 10 ops: a first actor's 8 pass, another actor's 8 do not
    Rest.Response first =
        Rest.post(
            url(s) + "/ops", node.agent("one", s), "{\"batchId\":\"p1\",\"ops\":" + ops + "}");
    assertEquals(200, first.status(), String.valueOf(first.body()));
    Rest.Response second =
        Rest.post(
            url(s) + "/ops", node.agent("two", s), "{\"batchId\":\"p2\",\"ops\":" + ops + "}");
    assertEquals(429, second.status(), String.valueOf(second.body()));
    assertEquals("rate_limited", second.body().path("code").asText());
    assertTrue(second.body().path("message").asText().contains("session"));
    long wait = second.body().path("retryAfterMs").asLong();
    assertTrue(wait > 0);
    assertTrue(Integer.parseInt(second.header("Retry-After")) >= 1);
    assertEquals(
        planBefore + 8,
        Rest.get(url(s), node.human("r", s)).body().path("doc").path("plan").size(),
        "nothing of the refused batch is applied (before: " + before + ")");
    // over the websocket: the same refusal, as an error frame carrying the batch id
    try (WsClient c = WsClient.joined(clients, node.port(), s, node.agent("three", s))) {
      JsonNode err =
          c.reply(c.batch("ws-1", c.welcome().path("version").asText(), false, ops.toString()));
      assertEquals("rate_limited", err.path("code").asText());
      assertTrue(err.path("retryAfterMs").asLong() > 0);
    }
    // honouring retryAfterMs, the same batch goes through, once
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(Math.min(wait, 2000)))
        .until(
            () ->
                Rest.post(
                            url(s) + "/ops",
                            node.agent("two", s),
                            "{\"batchId\":\"p2\",\"ops\":" + ops + "}")
                        .status()
                    == 200);
    assertEquals(
        planBefore + 16,
        Rest.get(url(s), node.human("r", s)).body().path("doc").path("plan").size());
  }
}
