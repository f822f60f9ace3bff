package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code --max-doc-bytes} holds across a restart: the reloaded session does not know its size until
 * a write needs it, and then refuses a write that would pass the limit exactly as before; a batch
 * accepted before the restart and sent again is acked again with the same answer.
 */
class DocSizeLimitIT {
  private static final String SESSION = "sized";
  private static final String[] FLAGS = {"--max-doc-bytes", "4000", "--ops-per-second", "0"};

  private static Rest.Response write(TestServer t, String token, int task, String key)
      throws Exception {
    return Rest.post(
        t.base() + "/v1/sessions/" + SESSION + "/ops",
        token,
        "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t"
            + task
            + "\",\"value\":{\"title\":\""
            + "x".repeat(500)
            + "\"}}]}",
        "Idempotency-Key",
        key);
  }

  @Test
  void theLimitHoldsAfterARestart_andEarlierBatchesAreAckedAgain() throws Exception {
    Path dir = TestServer.newDataDir();
    int accepted = 0;
    Rest.Response first;
    try (TestServer t = TestServer.start(dir, FLAGS)) {
      String token = t.human("alice", SESSION);
      first = write(t, token, 0, "w0");
      assertEquals(200, first.status(), String.valueOf(first.body()));
      accepted = 1;
      Rest.Response last = first;
      while (last.status() == 200 && accepted < 20) {
        last = write(t, token, accepted, "w" + accepted);
        if (last.status() == 200) {
          accepted++;
        }
      }
      assertEquals(413, last.status(), "a 4,000-byte document holds fewer than 20 such tasks");
      assertEquals("too_large", last.body().path("code").asText());
      assertTrue(accepted >= 5, "room for several 500-byte tasks: " + accepted);
    }
    try (TestServer t = TestServer.start(dir, FLAGS)) {
      String token = t.human("alice", SESSION);
      Rest.Response again = write(t, token, 0, "w0");
      assertEquals(200, again.status(), String.valueOf(again.body()));
      for (String f : new String[] {"batchId", "version", "results"}) {
        assertEquals(first.body().get(f), again.body().get(f), f + " as acked before the restart");
      }
      assertTrue(again.body().path("duplicate").asBoolean(), "recognised, not applied again");
      Rest.Response over = write(t, token, accepted, "after-restart");
      assertEquals(413, over.status(), String.valueOf(over.body()));
      assertEquals("too_large", over.body().path("code").asText());
      assertEquals(
          accepted,
          Rest.get(t.base() + "/v1/sessions/" + SESSION, token)
              .body()
              .path("doc")
              .path("tasks")
              .size(),
          "nothing refused was applied");
    }
  }
}
