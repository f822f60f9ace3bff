package dev.chorus.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A session nobody uses is unloaded from memory and comes back, intact, on the next access. Found
 * by the load harness: the periodic sweep itself counted as use, so nothing ever unloaded.
 */
class IdleUnloadIT {

  @Test
  void anIdleSessionUnloads_andReloadsIntactOnTheNextAccess() throws Exception {
    try (TestServer t = TestServer.start("--session-idle-ms", "300")) {
      String token = t.human("alice", "idle");
      String ops =
          "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"x\",\"status\":\"todo\"}}]}";
      Rest.Response w =
          Rest.post(t.base() + "/v1/sessions/idle/ops", token, ops, "Idempotency-Key", "b1");
      assertEquals(200, w.status(), String.valueOf(w.body()));
      var before = Rest.get(t.base() + "/v1/sessions/idle", token).body();
      await("unloaded")
          .atMost(Duration.ofSeconds(15))
          .until(() -> Rest.get(t.base() + "/health", null).body().get("sessions").asInt() == 0);
      var after = Rest.get(t.base() + "/v1/sessions/idle", token).body();
      assertEquals(before.get("doc"), after.get("doc"));
      assertEquals(before.get("version"), after.get("version"));
    }
  }
}
