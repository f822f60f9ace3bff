package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * SCENARIO 15: malformed frames, unknown types, wrong field types, oversize frames and ops on
 * missing elements get a clear error; the connection, the server and other clients carry on, and
 * the state is unchanged.
 */
class RobustnessIT extends ItBase {

  private static JsonNode errorAfter(WsClient c, String text) {
    int before = c.ofType("error").size();
    c.sendText(text);
    c.await(f -> c.ofType("error").size() > before);
    return c.ofType("error").get(before);
  }

  @Test
  void badFrames_getStableErrors_andNothingChanges() throws Exception {
    String s = newSession();
    try (WsClient c = WsClient.joined(clients, node.port(), s, node.agent("planner", s));
        WsClient other = WsClient.joined(clients, node.port(), s, node.human("alice", s))) {
      String v =
          c.write(
                  c.welcome().path("version").asText(),
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]")
              .path("version")
              .asText();
      String hash = Rest.get(url(s), node.human("x", s)).body().path("stateHash").asText();

      assertEquals("bad_frame", errorAfter(c, "{not json").path("code").asText());
      assertEquals("bad_frame", errorAfter(c, "[1,2]").path("code").asText());
      assertEquals("unknown_type", errorAfter(c, "{\"type\":\"explode\"}").path("code").asText());
      assertEquals(
          "bad_frame",
          errorAfter(c, "{\"type\":\"batch\",\"batchId\":5,\"basedOn\":\"\",\"ops\":[]}")
              .path("code")
              .asText());
      JsonNode wrongType =
          errorAfter(
              c,
              "{\"type\":\"batch\",\"batchId\":\"w\",\"basedOn\":\""
                  + v
                  + "\",\"ops\":{\"op\":\"set\"}}");
      assertEquals("bad_frame", wrongType.path("code").asText());
      assertEquals("w", wrongType.path("batchId").asText());
      assertEquals(
          "unknown_type",
          errorAfter(
                  c,
                  "{\"type\":\"batch\",\"batchId\":\"u\",\"basedOn\":\""
                      + v
                      + "\",\"ops\":[{\"op\":\"frobnicate\",\"path\":\"x\"}]}")
              .path("code")
              .asText());
      assertEquals(
          "bad_frame",
          errorAfter(
                  c,
                  "{\"type\":\"batch\",\"batchId\":\"i\",\"basedOn\":\""
                      + v
                      + "\",\"ops\":[{\"op\":\"increment\",\"path\":\"x\",\"by\":\"one\"}]}")
              .path("code")
              .asText());
      // oversize: over maxFrameBytes (256 KiB) but under the transport's hard limit
      String big = "x".repeat(300_000);
      JsonNode tooLarge =
          errorAfter(
              c,
              "{\"type\":\"batch\",\"batchId\":\"big\",\"basedOn\":\""
                  + v
                  + "\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\""
                  + big
                  + "\"}]}");
      assertEquals("too_large", tooLarge.path("code").asText());
      // op on a missing element
      JsonNode missing =
          c.reply(c.batch(v, false, "[{\"op\":\"set\",\"path\":\"plan/99@n1\",\"value\":\"x\"}]"));
      assertEquals("path_not_found", missing.path("code").asText());
      JsonNode missingMove =
          c.reply(
              c.batch(
                  v,
                  false,
                  "[{\"op\":\"move\",\"path\":\"plan/42@n1\",\"to\":\"plan\",\"after\":null}]"));
      assertEquals("path_not_found", missingMove.path("code").asText());
      // schema violation: nothing of the batch applied
      JsonNode invalid =
          c.reply(
              c.batch(
                  v,
                  false,
                  "[{\"op\":\"set\",\"path\":\"tasks/t2\",\"value\":{\"title\":\"ok\"}},"
                      + "{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"maybe\"}]"));
      assertEquals("schema_violation", invalid.path("code").asText());
      assertTrue(invalid.path("message").asText().contains("tasks/t1/status"));
      // batch before hello on a fresh connection
      try (WsClient fresh = WsClient.connect(clients, node.port(), s, node.human("bob", s))) {
        fresh.batch(v, false, "[{\"op\":\"delete\",\"path\":\"tasks/t1\"}]");
        assertEquals(
            "hello_required",
            fresh.await(f -> f.path("type").asText().equals("error")).path("code").asText());
      }

      // the connection still works, the state is unchanged, the other client saw nothing
      c.send(WsClient.M.readTree("{\"type\":\"ping\",\"nonce\":\"still-here\"}"));
      assertEquals(
          "still-here",
          c.await(f -> f.path("type").asText().equals("pong")).path("nonce").asText());
      Rest.Response after = Rest.get(url(s), node.human("x", s));
      assertEquals(v, after.body().path("version").asText());
      assertEquals(hash, after.body().path("stateHash").asText());
      assertNull(
          other.first(
              f ->
                  f.path("type").asText().equals("change")
                      && !f.path("version").asText().equals(v)));
      assertTrue(other.ofType("error").isEmpty());
      // and the server still serves
      assertEquals(200, Rest.get(node.base() + "/health", null).status());
    }
  }

  @Test
  void restBadBodies_getStableErrors() throws Exception {
    String s = newSession();
    String t = node.human("alice", s);
    Rest.Response notJson = Rest.post(url(s) + "/ops", t, "{oops");
    assertEquals(400, notJson.status());
    assertEquals("bad_frame", notJson.body().path("code").asText());
    Rest.Response missing =
        Rest.post(
            url(s) + "/ops",
            t,
            "{\"batchId\":\"m\",\"ops\":[{\"op\":\"delete\",\"path\":\"tasks/nope/title\"}]}");
    assertEquals(422, missing.status());
    assertEquals("path_not_found", missing.body().path("code").asText());
    Rest.Response schema =
        Rest.post(
            url(s) + "/ops",
            t,
            "{\"batchId\":\"d\",\"ops\":[{\"op\":\"delete\",\"path\":\"plan\"}]}");
    assertEquals(422, schema.status());
    assertEquals("schema_violation", schema.body().path("code").asText());
    Rest.Response big =
        Rest.post(
            url(s) + "/ops",
            t,
            "{\"batchId\":\"b\",\"ops\":[{\"op\":\"set\",\"path\":\"x\",\"value\":\""
                + "y".repeat(300_000)
                + "\"}]}");
    assertEquals(413, big.status());
    assertEquals("too_large", big.body().path("code").asText());
    assertEquals(404, Rest.get(node.base() + "/v1/nothing", t).status());
  }
}
