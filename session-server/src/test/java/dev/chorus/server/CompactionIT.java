package dev.chorus.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A single node compacts a session at its snapshots ({@code --compact-lag-ms}): the history and the
 * deleted values older than the floor (a version of an earlier snapshot at least the lag old) are
 * forgotten. Nothing a client sees changes — document, hash, open conflicts, across a restart —
 * except that a view older than the floor gets {@code stale_base} (re-read) where it would have
 * been merged, and a resume from before it gets the whole document.
 */
class CompactionIT {
  private static final String SESSION = "compacted";
  private static Vertx clients;

  @BeforeAll
  static void startClients() {
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopClients() throws Exception {
    clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String url(TestServer t) {
    return t.base() + "/v1/sessions/" + SESSION;
  }

  private static Rest.Response writeBasedOn(TestServer t, String token, String basedOn, String v)
      throws Exception {
    return Rest.post(
        url(t) + "/ops",
        token,
        "{\"basedOn\":\""
            + basedOn
            + "\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t9\",\"value\":{\"title\":\""
            + v
            + "\"}}]}",
        "Idempotency-Key",
        "based-" + v);
  }

  /**
   * Flags of a node that snapshots every {@code changes} changes and compacts with no lag, then
   * {@code more}.
   */
  static String[] compactingEvery(int changes, String... more) {
    String[] base = {
      "--compact-lag-ms",
      "0",
      "--snapshot-every",
      String.valueOf(changes),
      "--snapshot-every-ops",
      "0"
    };
    String[] all = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void compaction_forgetsTheOldHistory_keepsWhatClientsSee_acrossARestart() throws Exception {
    Path dir = TestServer.newDataDir();
    String[] flags = compactingEvery(10);
    JsonNode before;
    String early;
    String recent;
    try (TestServer t = TestServer.start(dir, flags)) {
      String token = t.human("alice", SESSION);
      List<String> versions = t.replaceTasks(SESSION, token, 25, "a");
      early = versions.get(0);
      // two writers that had both seen the 25th version set the same task: a conflict
      String seen = versions.get(24);
      assertEquals(200, writeBasedOn(t, token, seen, "done").status());
      assertEquals(200, writeBasedOn(t, token, seen, "cancelled").status());
      // snapshots at 30, 40, 50: the last compacts up to the one at 40, past the conflict's writes
      versions = t.replaceTasks(SESSION, token, 25, "b");
      recent = versions.get(22);
      assertTrue(t.metric("chorus_compaction_seconds_count") >= 2, "compacted at snapshots");
      // every snapshot's capture is timed (at 10, 20, 30, 40, 50 changes: the compactions' at
      // least)
      assertTrue(
          t.metric("chorus_snapshot_capture_seconds_count")
              >= t.metric("chorus_compaction_seconds_count"),
          "snapshot captures timed");
      before = Rest.get(url(t), token).body();
      assertEquals(1, before.path("conflicts").size(), "the open conflict is kept: " + before);

      // the old history is gone: a resume or a write from a view that old must re-read
      Rest.Response h = Rest.get(url(t) + "/history?since=" + early, token);
      assertEquals(410, h.status(), String.valueOf(h.body()));
      assertEquals("stale_base", h.body().path("code").asText());
      Rest.Response stale = writeBasedOn(t, token, early, "blocked");
      assertEquals(409, stale.status(), String.valueOf(stale.body()));
      assertEquals("stale_base", stale.body().path("code").asText());
      assertTrue(
          stale.body().path("message").asText().contains("re-read"), stale.body().toString());
      assertEquals(before, Rest.get(url(t), token).body(), "a refused write changes nothing");

      // a recent view still merges, and its history is still served
      Rest.Response h2 = Rest.get(url(t) + "/history?since=" + recent, token);
      assertEquals(200, h2.status(), String.valueOf(h2.body()));
      assertEquals(2, h2.body().path("changes").size());

      try (WsClient old = WsClient.connect(clients, t.port(), SESSION, token)) {
        JsonNode w = old.hello(early, false);
        assertFalse(w.path("resumed").asBoolean(), "a resume from before the floor: " + w);
        assertEquals(before.path("doc"), w.path("doc"));
        assertEquals(before.path("version").asText(), w.path("version").asText());
      }
      try (WsClient fresh = WsClient.connect(clients, t.port(), SESSION, token)) {
        JsonNode w = fresh.hello(recent, false);
        assertTrue(w.path("resumed").asBoolean(), w.toString());
        assertEquals(2, w.path("changes").size());
      }
    }
    try (TestServer t = TestServer.start(dir, flags)) {
      String token = t.human("alice", SESSION);
      assertEquals(before, Rest.get(url(t), token).body(), "the compacted snapshot loads the same");
      assertEquals(410, Rest.get(url(t) + "/history?since=" + early, token).status());
      assertEquals(200, Rest.get(url(t) + "/history?since=" + recent, token).status());
    }
  }

  /**
   * The floor's marks are stored with each snapshot: a session unloaded when idle picks them up at
   * its next load, instead of counting the lag again from there (which a board used in bursts
   * shorter than the lag would never get past).
   */
  @Test
  void aSessionUnloadedWhenIdle_compactsAtItsFirstSnapshotAfterTheReload() throws Exception {
    try (TestServer t = TestServer.start(compactingEvery(10, "--session-idle-ms", "300"))) {
      String token = t.human("alice", SESSION);
      t.replaceTasks(SESSION, token, 15, "d");
      await("unloaded")
          .atMost(Duration.ofSeconds(20))
          .until(() -> Rest.get(t.base() + "/health", null).body().get("sessions").asInt() == 0);
      double compactions = t.metric("chorus_compaction_seconds_count");
      JsonNode before = Rest.get(url(t), token).body(); // loads it again
      List<String> versions = t.replaceTasks(SESSION, token, 10, "e");
      assertTrue(
          t.metric("chorus_compaction_seconds_count") > compactions,
          "the first snapshot after the load compacted, to a mark from before the unload");
      Rest.Response h =
          Rest.get(url(t) + "/history?since=" + before.path("version").asText(), token);
      assertEquals(200, h.status(), "the floor is older than the load: " + h.body());
      assertEquals(versions.size(), h.body().path("changes").size());
    }
  }

  /** The view a snapshot client has last: the ack or change frame with the newest counter. */
  private static JsonNode latestView(WsClient c) {
    JsonNode best = c.welcome();
    for (JsonNode f : c.frames) {
      if (f.path("type").asText().matches("ack|change") && f.has("stateHash")) {
        if (counter(f.path("version").asText()) > counter(best.path("version").asText())) {
          best = f;
        }
      }
    }
    return best;
  }

  /** This node's counter in a version (it is the only writing replica, named last). */
  private static long counter(String version) {
    return Long.parseLong(version.substring(version.lastIndexOf(':') + 1));
  }

  /**
   * Three writers race from shared stale views while the node compacts every five changes: every
   * batch is either acked or refused with {@code stale_base} (its view fell behind the floor), no
   * acked increment is lost, every client ends on the server's state, and a restart shows it.
   */
  @Test
  void concurrentWritersWhileItCompacts_convergeAndLoseNothingAcked() throws Exception {
    Path dir = TestServer.newDataDir();
    String[] flags = compactingEvery(5);
    JsonNode end;
    try (TestServer t = TestServer.start(dir, flags)) {
      List<WsClient> all = new ArrayList<>();
      String[] actors = {"alice", "bob", "planner"};
      for (String a : actors) {
        all.add(WsClient.connect(clients, t.port(), SESSION, t.human(a, SESSION)));
      }
      try {
        String base = all.get(0).hello(null, true).path("version").asText();
        all.get(1).hello(null, true);
        all.get(2).hello(null, true);
        base =
            all.get(0)
                .write(base, "[{\"op\":\"set\",\"path\":\"votes\",\"value\":{\"$counter\":0}}]")
                .path("version")
                .asText();
        java.util.Random rnd = new java.util.Random(7);
        long votes = 0;
        int acked = 0;
        int stale = 0;
        List<String> roundBases = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
          roundBases.add(base);
          List<String> ids = new ArrayList<>();
          List<WsClient> senders = new ArrayList<>();
          List<Integer> increments = new ArrayList<>();
          List<Boolean> old = new ArrayList<>();
          for (int i = 0; i < 9; i++) {
            WsClient c = all.get(i % 3);
            int by = 1 + rnd.nextInt(3);
            String op =
                switch (rnd.nextInt(3)) {
                  case 0 ->
                      "{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"r"
                          + round
                          + "-"
                          + i
                          + "\"}}";
                  case 1 ->
                      "{\"op\":\"set\",\"path\":\"tasks/t"
                          + (2 + rnd.nextInt(3))
                          + "\",\"value\":{\"title\":\"x"
                          + i
                          + "\"}}";
                  default -> "{\"op\":\"increment\",\"path\":\"votes\",\"by\":" + by + "}";
                };
            // from round 4 on, the agent writes from its view of four rounds ago: at least one
            // snapshot per round (9 changes, one every 5) puts the floor past it
            boolean fromOldView = round >= 4 && i % 3 == 2;
            ids.add(c.batch(fromOldView ? roundBases.get(round - 4) : base, false, "[" + op + "]"));
            old.add(fromOldView);
            senders.add(c);
            increments.add(op.contains("increment") ? by : 0);
          }
          for (int i = 0; i < ids.size(); i++) {
            JsonNode r = senders.get(i).reply(ids.get(i));
            if (r.path("type").asText().equals("ack")) {
              assertTrue(!old.get(i), "a view older than the floor was merged: " + r);
              acked++;
              votes += increments.get(i);
              if (counter(r.path("version").asText()) > counter(base)) {
                base = r.path("version").asText();
              }
            } else {
              assertEquals("stale_base", r.path("code").asText(), r.toString());
              stale++;
            }
          }
        }
        assertTrue(acked > 0, "some batches were acked");
        // the agent's 3 batches from an old view in each of rounds 4-7; a view of the round's start
        // may fall behind too when two snapshots come within one round
        assertTrue(stale >= 12, "refused: " + stale);
        assertTrue(t.metric("chorus_compaction_seconds_count") > 0, "it compacted meanwhile");
        end = Rest.get(url(t), t.human("alice", SESSION)).body();
        assertEquals(votes, end.path("doc").path("votes").asLong(), "every acked increment counts");
        String version = end.path("version").asText();
        for (WsClient c : all) {
          await()
              .atMost(Duration.ofSeconds(15))
              .until(() -> latestView(c).path("version").asText().equals(version));
          assertEquals(end.path("stateHash").asText(), latestView(c).path("stateHash").asText());
          assertEquals(end.path("doc"), latestView(c).path("doc"));
        }
      } finally {
        for (WsClient c : all) {
          c.close();
        }
      }
    }
    try (TestServer t = TestServer.start(dir, flags)) {
      assertEquals(end, Rest.get(url(t), t.human("alice", SESSION)).body());
    }
  }

  @Test
  void withALagOfMinusOne_nothingIsCompacted() throws Exception {
    try (TestServer t =
        TestServer.start(
            "--compact-lag-ms", "-1", "--snapshot-every", "10", "--snapshot-every-ops", "0")) {
      String token = t.human("alice", SESSION);
      List<String> versions = t.replaceTasks(SESSION, token, 45, "c");
      Rest.Response h = Rest.get(url(t) + "/history?since=" + versions.get(0), token);
      assertEquals(200, h.status(), String.valueOf(h.body()));
      assertEquals(44, h.body().path("changes").size());
      assertEquals(0.0, t.metric("chorus_compaction_seconds_count"));
    }
  }
}
