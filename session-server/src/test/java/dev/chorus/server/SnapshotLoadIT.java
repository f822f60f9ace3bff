package dev.chorus.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session is snapshotted before an idle unload, at shutdown and every {@code
 * --snapshot-every-ops} ops, so a load decodes a snapshot instead of replaying the changes; what a
 * client sees does not change: the document and its hash, the history since any version (resume),
 * strict writes refused with exactly the unseen changes. Counted by the metrics {@code
 * chorus_snapshots_total} and {@code chorus_session_load_replayed_total}.
 */
class SnapshotLoadIT {
  private static final String SESSION = "snap";

  /** What a client can see of the session: document, hash, history since {@code mid}, refusal. */
  private record Seen(JsonNode doc, String version, String hash, JsonNode since, JsonNode refusal) {
    static Seen of(TestServer t, String token, String mid) throws Exception {
      String url = t.base() + "/v1/sessions/" + SESSION;
      JsonNode g = Rest.get(url, token).body();
      JsonNode h = Rest.get(url + "/history?since=" + mid, token).body().path("changes");
      // a strict write based on mid, touching a task changed since: refused, nothing applied
      Rest.Response r =
          Rest.post(
              url + "/ops",
              token,
              "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]}",
              "If-Match",
              "\"" + mid + "\"",
              "Idempotency-Key",
              "strict-" + System.nanoTime());
      assertEquals(412, r.status(), String.valueOf(r.body()));
      return new Seen(
          g.path("doc"),
          g.path("version").asText(),
          g.path("stateHash").asText(),
          h,
          r.body().path("unseen"));
    }
  }

  private static JsonNode withoutBatchIds(JsonNode history) {
    JsonNode copy = history.deepCopy();
    copy.forEach(c -> ((com.fasterxml.jackson.databind.node.ObjectNode) c).remove("batchId"));
    return copy;
  }

  @Test
  void idleUnload_writesASnapshot_andTheReloadReplaysNothing_seeingTheSame() throws Exception {
    try (TestServer t =
        TestServer.start(
            "--session-idle-ms",
            "300",
            "--snapshot-every",
            "100000",
            "--snapshot-every-ops",
            "0")) {
      String token = t.human("alice", SESSION);
      List<String> versions = t.replaceTasks(SESSION, token, 24, "a");
      String mid = versions.get(9);
      Seen before = Seen.of(t, token, mid);
      assertEquals(14, before.since().size(), "the changes after the 10th");
      assertEquals(0.0, t.metric("chorus_snapshots_total"), "no snapshot by count yet");
      await("unloaded")
          .atMost(Duration.ofSeconds(20))
          .until(() -> Rest.get(t.base() + "/health", null).body().get("sessions").asInt() == 0);
      assertEquals(1.0, t.metric("chorus_snapshots_total"), "one snapshot before the unload");
      double replayed = t.metric("chorus_session_load_replayed_total");
      Seen after = Seen.of(t, token, mid);
      assertEquals(before, after);
      assertEquals(
          replayed,
          t.metric("chorus_session_load_replayed_total"),
          "the reload decoded the snapshot and replayed nothing");
      // and it goes on: later writes and a resume from a version before the snapshot
      List<String> more = t.replaceTasks(SESSION, token, 3, "b");
      JsonNode h =
          Rest.get(t.base() + "/v1/sessions/" + SESSION + "/history?since=" + mid, token)
              .body()
              .path("changes");
      assertEquals(17, h.size());
      assertEquals(more.get(2), h.get(16).path("version").asText());
    }
  }

  @Test
  void shutdown_writesASnapshot_andTheRestartReplaysNothing_seeingTheSame() throws Exception {
    Path dir = TestServer.newDataDir();
    String[] flags = {"--snapshot-every", "100000", "--snapshot-every-ops", "0"};
    Seen before;
    String mid;
    try (TestServer t = TestServer.start(dir, flags)) {
      String token = t.human("alice", SESSION);
      mid = t.replaceTasks(SESSION, token, 12, "a").get(3);
      before = Seen.of(t, token, mid);
    }
    try (TestServer t = TestServer.start(dir, flags)) {
      String token = t.human("alice", SESSION);
      Seen after = Seen.of(t, token, mid);
      assertEquals(before, after);
      assertEquals(0.0, t.metric("chorus_session_load_replayed_total"));
      assertEquals(0.0, t.metric("chorus_snapshots_total"));
    }
  }

  @Test
  void aSnapshotFollowsEverySnapshotEveryOps_andALoadReplaysOnlyWhatCameAfter() throws Exception {
    Path dir = TestServer.newDataDir();
    String[] flags = {"--snapshot-every", "100000", "--snapshot-every-ops", "5"};
    Seen before;
    String mid;
    try (TestServer t = TestServer.start(dir, flags)) {
      String token = t.human("alice", SESSION);
      mid = t.replaceTasks(SESSION, token, 12, "a").get(2);
      // written beside the commit path, once their changes are in
      await("a snapshot every 5 ops")
          .atMost(Duration.ofSeconds(20))
          .until(() -> t.metric("chorus_snapshots_total") >= 2);
      before = Seen.of(t, token, mid);
    }
    try (TestServer t = TestServer.start(dir, flags)) {
      Seen after = Seen.of(t, t.human("alice", SESSION), mid);
      assertEquals(before.doc(), after.doc());
      assertEquals(before.version(), after.version());
      assertEquals(before.hash(), after.hash());
      assertEquals(before.refusal(), after.refusal());
      // the same changes and versions since mid; batch ids only of the changes the store still
      // holds (those since the snapshot before the last: one snapshot interval)
      assertEquals(withoutBatchIds(before.since()), withoutBatchIds(after.since()));
      JsonNode last = after.since().get(after.since().size() - 1);
      assertEquals("a-11", last.path("batchId").asText());
      assertTrue(t.metric("chorus_session_load_replayed_total") < 5);
    }
  }
}
