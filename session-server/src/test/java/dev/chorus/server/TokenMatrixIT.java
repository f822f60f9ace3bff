package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.server.auth.Role;
import io.vertx.core.http.UpgradeRejectedException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The full token matrix (issue 7), extending {@link AuthIT}: every kind of bad token (none,
 * malformed in several ways, {@code alg: none}, bad signature, expired, missing claims, another
 * session's) on EVERY REST route and on the websocket upgrade, with the token in the header and in
 * the query; a viewer on every websocket frame type and every write route; a token that expires
 * during a connection. Revocation is not supported (tokens are short-lived; see operations.md).
 */
class TokenMatrixIT extends ItBase {
  private static final String SECRET_TEXT = "matrix-secret-step";
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private String s;

  @BeforeEach
  void seed() throws Exception {
    s = newSession();
    assertEquals(
        200,
        Rest.post(
                url(s) + "/ops",
                node.human("owner", s),
                "{\"batchId\":\"seed\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":"
                    + "{\"title\":\""
                    + SECRET_TEXT
                    + "\",\"status\":\"todo\"}}]}")
            .status());
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Bad tokens and what they must get: 401 unauthorized or 403 forbidden. */
  private Map<String, Object[]> badTokens() throws Exception {
    Map<String, Object[]> m = new LinkedHashMap<>();
    long exp = now() + 3600;
    m.put("none", new Object[] {null, 401});
    m.put("empty", new Object[] {"", 401});
    m.put("not a jwt", new Object[] {"not-a-jwt", 401});
    m.put("two dots of garbage", new Object[] {"a.b.c", 401});
    m.put("four parts", new Object[] {"a.b.c.d", 401});
    m.put(
        "alg none",
        new Object[] {
          b64("{\"alg\":\"none\",\"typ\":\"JWT\"}")
              + "."
              + b64(Jwt.claims("mallory", "human", s, "owner", exp))
              + ".",
          401
        });
    m.put(
        "bad signature",
        new Object[] {
          Jwt.hs256(
              "another-secret-another-secret-another-secret",
              Jwt.claims("mallory", "human", s, "owner", exp)),
          401
        });
    m.put(
        "tampered payload",
        new Object[] {tamper(node.token("vic", ActorKind.HUMAN, s, Role.VIEWER)), 401});
    m.put(
        "expired",
        new Object[] {
          Jwt.hs256(TestServer.SECRET, Jwt.claims("alice", "human", s, "editor", now() - 120)), 401
        });
    m.put(
        "no exp",
        new Object[] {
          Jwt.hs256(
              TestServer.SECRET,
              "{\"sub\":\"alice\",\"kind\":\"human\",\"sessions\":[\""
                  + s
                  + "\"],\"role\":\"owner\"}"),
          401
        });
    m.put(
        "no sub",
        new Object[] {
          Jwt.hs256(
              TestServer.SECRET,
              "{\"kind\":\"human\",\"sessions\":[\""
                  + s
                  + "\"],\"role\":\"owner\",\"exp\":"
                  + exp
                  + "}"),
          401
        });
    m.put(
        "no sessions",
        new Object[] {
          Jwt.hs256(
              TestServer.SECRET,
              "{\"sub\":\"alice\",\"kind\":\"human\",\"role\":\"owner\",\"exp\":" + exp + "}"),
          401
        });
    m.put(
        "unknown role",
        new Object[] {
          Jwt.hs256(TestServer.SECRET, Jwt.claims("alice", "human", s, "god", exp)), 401
        });
    m.put("another session", new Object[] {node.human("alice", "some-other-session"), 403});
    m.put(
        "session prefix", new Object[] {node.human("alice", s.substring(0, s.length() - 1)), 403});
    return m;
  }

  /** Swaps the payload of a valid token for an owner's one, keeping the signature. */
  private String tamper(String token) {
    String[] p = token.split("\\.");
    return p[0] + "." + b64(Jwt.claims("vic", "human", s, "owner", now() + 3600)) + "." + p[2];
  }

  private record Route(String method, String path, String body) {}

  private List<Route> routes() {
    String ops =
        "{\"batchId\":\"x\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"pwned\"}]}";
    return List.of(
        new Route("GET", "", null),
        new Route("GET", "?view=plain", null),
        new Route("GET", "/conflicts", null),
        new Route("GET", "/history", null),
        new Route("GET", "/history?since=", null),
        new Route("POST", "/ops", ops),
        new Route(
            "POST",
            "/resolve",
            "{\"batchId\":\"r\",\"path\":\"tasks/t1/title\",\"value\":\"pwned\"}"));
  }

  private static HttpResponse<String> call(Route r, String url, String header, String query)
      throws Exception {
    String u = url + r.path();
    if (query != null) {
      u +=
          (u.contains("?") ? "&" : "?")
              + "token="
              + URLEncoder.encode(query, StandardCharsets.UTF_8);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(10));
    if (header != null) {
      b.header("Authorization", header);
    }
    if (r.method().equals("POST")) {
      b.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(r.body()));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyBadToken_onEveryRoute_andTheWebsocket_isRefused_andNothingLeaks() throws Exception {
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, Object[]> t : badTokens().entrySet()) {
      String token = (String) t.getValue()[0];
      int status = (int) t.getValue()[1];
      String code = status == 401 ? "unauthorized" : "forbidden";
      // header and query forms (a null token: no header, no query)
      List<String[]> forms = new ArrayList<>();
      forms.add(new String[] {token == null ? null : "Bearer " + token, null});
      if (token != null) {
        forms.add(new String[] {null, token});
      }
      for (String[] form : forms) {
        for (Route r : routes()) {
          HttpResponse<String> res = call(r, url(s), form[0], form[1]);
          String where =
              t.getKey() + " " + r.method() + " " + r.path() + (form[1] != null ? " ?token" : "");
          if (res.statusCode() != status || !res.body().contains("\"code\":\"" + code + "\"")) {
            failures.add(where + " -> " + res.statusCode() + " " + res.body());
          }
          if (res.body().contains(SECRET_TEXT)) {
            failures.add(where + " leaked the document");
          }
        }
        String uri =
            "/v1/sessions/"
                + s
                + "/ws"
                + (form[1] != null
                    ? "?token=" + URLEncoder.encode(form[1], StandardCharsets.UTF_8)
                    : "");
        try {
          WsClient c =
              WsClient.connect(clients, node.port(), uri, form[0] == null ? null : token, null);
          c.close();
          failures.add(t.getKey() + " websocket upgrade accepted");
        } catch (UpgradeRejectedException e) {
          if (e.getStatus() != status) {
            failures.add(t.getKey() + " websocket -> " + e.getStatus());
          }
          if (e.getBody() != null && e.getBody().toString().contains(SECRET_TEXT)) {
            failures.add(t.getKey() + " websocket leaked the document");
          }
        }
      }
    }
    assertTrue(failures.isEmpty(), String.join("\n", failures));
    // nothing was written
    JsonNode doc = Rest.get(url(s), node.human("reader", s)).body().path("doc");
    assertEquals(SECRET_TEXT, doc.path("tasks").path("t1").path("title").asText());
  }

  @Test
  void aNonBearerAuthorizationHeader_isUnauthorized_evenWithAValidQueryToken() throws Exception {
    HttpResponse<String> res =
        call(new Route("GET", "", null), url(s), "Basic YWxpY2U6c2VjcmV0", node.human("alice", s));
    assertEquals(401, res.statusCode());
    assertFalse(res.body().contains(SECRET_TEXT));
  }

  @Test
  void viewer_onEveryWriteRoute_andEveryFrameType() throws Exception {
    String viewer = node.token("vic", ActorKind.HUMAN, s, Role.VIEWER);
    for (Route r : routes()) {
      HttpResponse<String> res = call(r, url(s), "Bearer " + viewer, null);
      if (r.method().equals("POST")) {
        assertEquals(403, res.statusCode(), r + " " + res.body());
        assertTrue(res.body().contains("\"code\":\"forbidden\""), res.body());
      } else {
        assertEquals(200, res.statusCode(), r + " " + res.body());
      }
    }
    try (WsClient c = WsClient.joined(clients, node.port(), s, viewer)) {
      String v = c.welcome().path("version").asText();
      assertEquals("viewer", c.welcome().path("role").asText());
      JsonNode batch =
          c.reply(
              c.batch(v, false, "[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"x\"}]"));
      assertEquals("forbidden", batch.path("code").asText());
      for (String op :
          List.of(
              "{\"op\":\"claim\",\"path\":\"tasks/t1\"}",
              "{\"op\":\"release\",\"path\":\"tasks/t1\"}",
              "{\"op\":\"delete\",\"path\":\"tasks/t1\"}",
              "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"x\"}")) {
        JsonNode err = c.reply(c.batch(v, false, "[" + op + "]"));
        assertEquals("forbidden", err.path("code").asText(), op);
      }
      // the owner's batch id replayed by a viewer: still forbidden (no cached ack leaks)
      JsonNode replay =
          c.reply(c.batch("seed", v, false, "[{\"op\":\"delete\",\"path\":\"tasks/t1\"}]"));
      assertEquals("forbidden", replay.path("code").asText());
      c.send(
          WsClient.M.readTree(
              "{\"type\":\"resolve\",\"batchId\":\"vr\",\"path\":\"tasks/t1/title\",\"value\":\"x\"}"));
      assertEquals("forbidden", c.reply("vr").path("code").asText());
      // reading frames are allowed: presence (viewers are present too) and ping
      c.send(WsClient.M.readTree("{\"type\":\"presence\",\"state\":{\"focus\":\"tasks/t1\"}}"));
      c.send(WsClient.M.readTree("{\"type\":\"ping\",\"nonce\":\"v\"}"));
      c.await(f -> f.path("type").asText().equals("pong"));
      assertTrue(
          c.ofType("error").stream().allMatch(f -> f.path("code").asText().equals("forbidden")));
      assertEquals(7, c.ofType("error").size());
      assertEquals(null, c.closeStatus.get());
    }
    JsonNode doc = Rest.get(url(s), viewer).body().path("doc");
    assertEquals(SECRET_TEXT, doc.path("tasks").path("t1").path("title").asText());
    assertEquals(0, doc.path("plan").size());
  }

  @Test
  void aTokenExpiringDuringTheConnection_closesItWith4401() throws Exception {
    String shortLived =
        Jwt.hs256(TestServer.SECRET, Jwt.claims("brief", "agent", s, "editor", now() + 2));
    try (WsClient c = WsClient.joined(clients, node.port(), s, shortLived)) {
      JsonNode err =
          c.await(
              f ->
                  f.path("type").asText().equals("error")
                      && f.path("code").asText().equals("unauthorized"));
      assertEquals("token expired", err.path("message").asText());
      c.awaitClosed();
      assertEquals((short) 4401, c.closeStatus.get());
    }
  }
}
