package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/**
 * A poller sends {@code If-None-Match} with the ETag it has: 304 and no body while the session is
 * at that version, the new document once it has moved on. The ETag stays the one {@code If-Match}
 * takes for a write.
 */
class ConditionalGetIT {
  @Test
  void ifNoneMatch_gets304UntilTheVersionMoves() throws Exception {
    try (TestServer t = TestServer.start()) {
      String token = t.agent("poller", "polled");
      String url = t.base() + "/v1/sessions/polled";
      Rest.Response first = Rest.get(url, token);
      assertEquals(200, first.status());
      String etag = first.header("ETag");
      assertEquals("\"" + first.body().path("version").asText() + "\"", etag);

      Rest.Response same = Rest.get(url, token, "If-None-Match", etag);
      assertEquals(304, same.status());
      assertNull(same.body(), "no body");
      assertEquals(etag, same.header("ETag"));
      assertEquals(304, Rest.get(url, token, "If-None-Match", "\"x:1\", W/" + etag).status());
      assertEquals(304, Rest.get(url + "?view=plain", token, "If-None-Match", "*").status());
      assertEquals(200, Rest.get(url, token, "If-None-Match", "\"x:1\"").status());

      Rest.Response w =
          Rest.post(
              url + "/ops",
              token,
              "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"a\"}}]}",
              "Idempotency-Key",
              "w1",
              "If-Match",
              etag);
      assertEquals(200, w.status(), String.valueOf(w.body()));
      Rest.Response moved = Rest.get(url, token, "If-None-Match", etag);
      assertEquals(200, moved.status());
      assertEquals("a", moved.body().path("doc").path("tasks").path("t1").path("title").asText());
      assertEquals(
          304,
          Rest.get(url, token, "If-None-Match", moved.header("ETag")).status(),
          "new tag "
              + moved.header("ETag")
              + " now "
              + Rest.get(url, token, "If-None-Match", moved.header("ETag")).body());
    }
  }

  @Test
  void withoutAToken_ifNoneMatchRevealsNothing() throws Exception {
    try (TestServer t = TestServer.start()) {
      assertEquals(
          401, Rest.get(t.base() + "/v1/sessions/polled", null, "If-None-Match", "*").status());
    }
  }
}
