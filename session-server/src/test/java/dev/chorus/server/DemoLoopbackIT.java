package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Demo mode on a loopback client: tokens are minted and work (non-loopback refusal is covered by
 * {@code transport.LoopbackTest}; tests only ever use 127.0.0.1).
 */
class DemoLoopbackIT {
  @Test
  void demoNode_servesLoopbackClients() throws Exception {
    try (TestServer node = TestServer.start("--demo")) {
      Rest.Response t =
          Rest.post(
              node.base() + "/v1/demo/token",
              null,
              "{\"actor\":\"alice\",\"session\":\"demo\",\"role\":\"editor\"}");
      assertEquals(200, t.status(), String.valueOf(t.body()));
      String token = t.body().path("token").asText();
      assertEquals(200, Rest.get(node.base() + "/v1/sessions/demo", token).status());
      assertEquals(200, Rest.get(node.base() + "/health", null).status());
    }
  }
}
