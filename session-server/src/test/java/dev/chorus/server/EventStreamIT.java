package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/sessions/{id}/events}: the websocket's frames as Server-Sent Events. */
class EventStreamIT extends ItBase {

  private static final String TASK =
      "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\",\"claim\":null}}]";

  private static String events(String session) {
    return url(session) + "/events";
  }

  private static String status(String v) {
    return "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"" + v + "\"}]";
  }

  @Test
  void streamCarriesChangesConflictsPresenceAndClaims_asTheWebsocketDoes() throws Exception {
    String s = newSession();
    try (SseClient sse = SseClient.open(events(s), node.agent("watcher", s), null);
        WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        WsClient bob = WsClient.joined(clients, node.port(), s, node.human("bob", s))) {
      assertEquals(200, sse.status);
      SseClient.Event welcome = sse.awaitType("welcome");
      assertFalse(welcome.data().path("resumed").asBoolean());
      assertTrue(welcome.data().has("doc"));
      assertEquals(welcome.data().path("version").asText(), welcome.id());

      String v1 =
          alice.write(alice.welcome().path("version").asText(), TASK).path("version").asText();
      SseClient.Event change = sse.await(e -> v1.equals(e.id()));
      assertEquals("change", change.type());
      assertEquals("change", change.data().path("type").asText());
      assertEquals("alice", change.data().path("author").path("id").asText());
      assertEquals("tasks/t1", change.data().path("ops").get(0).path("path").asText());

      // a race: conflict.opened, then bob resolves it: conflict.resolved
      String a = alice.batch(v1, false, status("done"));
      String b = bob.batch(v1, false, status("cancelled"));
      alice.reply(a);
      bob.reply(b);
      SseClient.Event opened = sse.awaitType("conflict.opened");
      assertEquals("tasks/t1/status", opened.data().path("conflict").path("path").asText());
      assertNull(opened.id(), "only change events carry a version id");
      Rest.Response resolved =
          Rest.post(
              url(s) + "/resolve",
              node.human("bob", s),
              "{\"path\":\"tasks/t1/status\",\"value\":\"done\"}",
              "Idempotency-Key",
              "r-1");
      assertEquals(200, resolved.status());
      assertEquals("bob", sse.awaitType("conflict.resolved").data().path("by").path("id").asText());

      // presence
      alice.send(Rest.M.readTree("{\"type\":\"presence\",\"state\":{\"name\":\"Alice\"}}"));
      SseClient.Event presence = sse.awaitType("presence");
      assertEquals(
          "Alice", presence.data().path("participant").path("state").path("name").asText());

      // a claim and its release
      String planner = node.agent("planner", s);
      String now = Rest.get(url(s), planner).body().path("version").asText();
      Rest.Response claim =
          Rest.post(
              url(s) + "/ops",
              planner,
              "{\"basedOn\":\"" + now + "\",\"ops\":[{\"op\":\"claim\",\"path\":\"tasks/t1\"}]}",
              "Idempotency-Key",
              "c-1");
      Rest.post(
          url(s) + "/ops",
          planner,
          "{\"basedOn\":\""
              + claim.body().path("version").asText()
              + "\",\"ops\":[{\"op\":\"release\",\"path\":\"tasks/t1\"}]}",
          "Idempotency-Key",
          "c-2");
      SseClient.Event release =
          sse.await(
              e ->
                  e.type().equals("change")
                      && e.data().path("ops").get(0).path("op").asText().equals("release"));
      assertEquals("planner", release.data().path("author").path("id").asText());
    }
  }

  @Test
  void resumeWithLastEventId_afterADroppedConnection_deliversExactlyTheMissedChanges()
      throws Exception {
    String s = newSession();
    String alice = node.human("alice", s);
    String v1;
    try (SseClient first = SseClient.open(events(s), alice, null)) {
      first.awaitType("welcome");
      v1 = node.replaceTasks(s, alice, 1, "a").get(0);
      assertEquals(v1, first.await(e -> "change".equals(e.type())).id());
    } // the connection drops
    List<String> missed = node.replaceTasks(s, alice, 3, "b");
    try (SseClient again = SseClient.open(events(s), alice, v1)) {
      SseClient.Event welcome = again.awaitType("welcome");
      assertTrue(welcome.data().path("resumed").asBoolean());
      assertFalse(welcome.data().has("doc"));
      assertNull(welcome.id());
      String live = node.replaceTasks(s, alice, 1, "c").get(0);
      again.await(e -> live.equals(e.id()));
      List<String> ids = again.ofType("change").stream().map(SseClient.Event::id).toList();
      List<String> expected = new java.util.ArrayList<>(missed);
      expected.add(live);
      assertEquals(expected, ids, "exactly the missed changes, then the live one");
      for (SseClient.Event e : again.ofType("change")) {
        assertEquals("alice", e.data().path("author").path("id").asText());
      }
    }
  }

  @Test
  void refusedWithoutAGrant_sameCodesAsRest() throws Exception {
    String s = newSession();
    try (SseClient none = SseClient.open(events(s), null, null);
        SseClient other = SseClient.open(events(s), node.human("alice", newSession()), null)) {
      assertEquals(401, none.status);
      assertEquals("unauthorized", Rest.M.readTree(none.errorBody).path("code").asText());
      assertEquals(403, other.status);
      assertEquals("forbidden", Rest.M.readTree(other.errorBody).path("code").asText());
    }
    try (SseClient sse =
        SseClient.open(events(s) + "?token=" + node.human("alice", s), null, "not a version")) {
      // an unknown resume point falls back to the whole document, as on the websocket
      assertFalse(sse.awaitType("welcome").data().path("resumed").asBoolean());
    }
  }

  @Test
  void idleStreamGetsHeartbeats() throws Exception {
    try (TestServer fast = TestServer.start("--heartbeat-ms", "50")) {
      String s = newSession();
      try (SseClient sse =
          SseClient.open(
              fast.base() + "/v1/sessions/" + s + "/events", fast.human("alice", s), null)) {
        sse.awaitType("welcome");
        Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(15))
            .until(() -> sse.comments.contains("heartbeat"));
      }
    }
  }
}
