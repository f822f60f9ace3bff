package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.server.auth.Role;
import io.vertx.core.http.UpgradeRejectedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The auth matrix over websocket and REST: no token, bad signature, expired, another session's
 * token, viewer writing. Each is refused with the right code and nothing of the session leaks.
 */
class AuthIT extends ItBase {
  private static final String SECRET_TEXT = "top-secret-plan";
  private String s;

  @BeforeEach
  void seed() throws Exception {
    s = newSession();
    Rest.Response r =
        Rest.post(
            url(s) + "/ops",
            node.human("owner", s),
            "{\"batchId\":\"seed\",\"ops\":[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\""
                + SECRET_TEXT
                + "\"}]}");
    assertEquals(200, r.status());
  }

  private long now() {
    return System.currentTimeMillis() / 1000;
  }

  private void refusedEverywhere(String token, int status, String code) throws Exception {
    UpgradeRejectedException e =
        assertThrows(
            UpgradeRejectedException.class, () -> WsClient.connect(clients, node.port(), s, token));
    assertEquals(status, e.getStatus());
    String wsBody = e.getBody() == null ? "" : e.getBody().toString();
    assertFalse(wsBody.contains(SECRET_TEXT));
    for (Rest.Response r :
        new Rest.Response[] {
          Rest.get(url(s), token),
          Rest.get(url(s) + "/conflicts", token),
          Rest.get(url(s) + "/history", token),
          Rest.post(
              url(s) + "/ops",
              token,
              "{\"batchId\":\"x\",\"ops\":[{\"op\":\"delete\",\"path\":\"plan\"}]}")
        }) {
      assertEquals(status, r.status(), String.valueOf(r.body()));
      assertEquals(code, r.body().path("code").asText());
      assertFalse(r.body().toString().contains(SECRET_TEXT));
    }
  }

  @Test
  void noToken_isUnauthorized() throws Exception {
    refusedEverywhere(null, 401, "unauthorized");
  }

  @Test
  void badSignature_isUnauthorized() throws Exception {
    String forged =
        Jwt.hs256(
            "another-secret-another-secret-another-secret",
            Jwt.claims("mallory", "human", s, "owner", now() + 3600));
    refusedEverywhere(forged, 401, "unauthorized");
    refusedEverywhere("not.a.jwt", 401, "unauthorized");
  }

  @Test
  void expiredToken_isUnauthorized() throws Exception {
    String expired =
        Jwt.hs256(TestServer.SECRET, Jwt.claims("alice", "human", s, "editor", now() - 120));
    refusedEverywhere(expired, 401, "unauthorized");
    Rest.Response r = Rest.get(url(s), expired);
    assertEquals("token expired", r.body().path("message").asText());
  }

  @Test
  void tokenForAnotherSession_isForbidden() throws Exception {
    String other = node.human("alice", "some-other-session");
    refusedEverywhere(other, 403, "forbidden");
  }

  @Test
  void viewer_readsButCannotWrite_overRestAndWebsocket() throws Exception {
    String viewer = node.token("vic", ActorKind.HUMAN, s, Role.VIEWER);
    assertEquals(200, Rest.get(url(s), viewer).status());
    Rest.Response w =
        Rest.post(
            url(s) + "/ops",
            viewer,
            "{\"batchId\":\"v\",\"ops\":[{\"op\":\"delete\",\"path\":\"plan\"}]}");
    assertEquals(403, w.status());
    assertEquals("forbidden", w.body().path("code").asText());
    try (WsClient c = WsClient.joined(clients, node.port(), s, viewer)) {
      String v = c.welcome().path("version").asText();
      JsonNode err =
          c.reply(
              c.batch(
                  v,
                  false,
                  "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"x\"}]"));
      assertEquals("forbidden", err.path("code").asText());
      // connection stays usable
      c.send(WsClient.M.readTree("{\"type\":\"ping\",\"nonce\":7}"));
      assertEquals(7, c.await(f -> f.path("type").asText().equals("pong")).path("nonce").asInt());
    }
    assertEquals(1, Rest.get(url(s), viewer).body().path("doc").path("plan").size());
  }

  @Test
  void browserFromAForeignOrigin_isForbidden() throws Exception {
    UpgradeRejectedException e =
        assertThrows(
            UpgradeRejectedException.class,
            () ->
                WsClient.connect(
                    clients,
                    node.port(),
                    "/v1/sessions/" + s + "/ws?token=" + node.human("alice", s),
                    null,
                    "http://evil.example"));
    assertEquals(403, e.getStatus());
  }

  @Test
  void tokenInTheQuery_isAcceptedForBrowsers() throws Exception {
    try (WsClient c =
        WsClient.connect(
            clients,
            node.port(),
            "/v1/sessions/" + s + "/ws?token=" + node.human("alice", s),
            null,
            "http://localhost:" + node.port())) {
      JsonNode w = c.hello(null, false);
      assertEquals("alice", w.path("actor").path("id").asText());
    }
  }
}
