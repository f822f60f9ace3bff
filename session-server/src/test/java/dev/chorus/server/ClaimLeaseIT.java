package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Task claims with leases (issue 7; SCENARIOS row 13 has the basics in {@link ScenariosIT}): two
 * concurrent claims give one holder that every participant agrees on and a {@code claim} conflict
 * delivered to both claimants; the holder's heartbeat (claiming again on the current version)
 * renews the lease without a conflict; when the heartbeat stops the expiry is an event.
 */
class ClaimLeaseIT extends ItBase {
  private static final String TASK =
      "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\",\"claim\":null}}]";

  private static JsonNode doc(String s) throws Exception {
    return Rest.get(url(s), node.human("reader", s)).body();
  }

  /** The newest version a client has seen (acks and changes arrive in session order). */
  private static String lastVersion(WsClient c) {
    List<JsonNode> fs = c.frames;
    for (int i = fs.size() - 1; i >= 0; i--) {
      String t = fs.get(i).path("type").asText();
      if (t.equals("ack") || t.equals("change") || t.equals("welcome")) {
        return fs.get(i).path("version").asText();
      }
    }
    throw new IllegalStateException("no version yet");
  }

  @Test
  void concurrentClaims_oneAgreedHolder_andAClaimConflictToBoth() throws Exception {
    String s = newSession();
    try (WsClient a = WsClient.joined(clients, node.port(), s, node.agent("worker-a", s));
        WsClient b = WsClient.joined(clients, node.port(), s, node.agent("worker-b", s))) {
      String v = a.write(a.welcome().path("version").asText(), TASK).path("version").asText();
      b.await(f -> f.path("type").asText().equals("change"));
      // both saw v and claim: neither saw the other's claim
      String ba = a.batch(v, false, "[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":60000}]");
      String bb = b.batch(v, false, "[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":60000}]");
      assertEquals("ack", a.reply(ba).path("type").asText());
      assertEquals("ack", b.reply(bb).path("type").asText());
      JsonNode ca =
          a.await(
              f ->
                  f.path("type").asText().equals("conflict.opened")
                      && f.path("conflict").path("kind").asText().equals("claim"));
      JsonNode cb =
          b.await(
              f ->
                  f.path("type").asText().equals("conflict.opened")
                      && f.path("conflict").path("kind").asText().equals("claim"));
      assertEquals(ca.path("conflict").path("id"), cb.path("conflict").path("id"));
      assertEquals(ca.path("conflict").path("winner"), cb.path("conflict").path("winner"));
      assertEquals(2, ca.path("conflict").path("intentCount").asInt());
      JsonNode d = doc(s);
      String holder = d.path("doc").path("tasks").path("t1").path("claim").path("actor").asText();
      assertTrue(List.of("worker-a", "worker-b").contains(holder), d.toString());
      assertEquals(holder, ca.path("conflict").path("winner").path("actor").asText());
      // a fresh reader agrees too
      try (WsClient late = WsClient.joined(clients, node.port(), s, node.human("late", s))) {
        JsonNode w = late.welcome();
        assertEquals(
            holder, w.path("doc").path("tasks").path("t1").path("claim").path("actor").asText());
        assertEquals("claim", w.path("conflicts").get(0).path("kind").asText());
      }
    }
  }

  @Test
  void theHoldersHeartbeat_renewsTheLease_andWhenItStops_theExpiryIsAnEvent() throws Exception {
    String s = newSession();
    try (WsClient watcher = WsClient.joined(clients, node.port(), s, node.human("watcher", s));
        WsClient holder = WsClient.joined(clients, node.port(), s, node.agent("worker", s))) {
      String v =
          holder.write(holder.welcome().path("version").asText(), TASK).path("version").asText();
      String claim = "[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":1500}]";
      holder.write(v, claim);
      AtomicInteger beats = new AtomicInteger();
      long timer =
          clients.setPeriodic(
              400,
              t -> {
                beats.incrementAndGet();
                holder.batch(lastVersion(holder), false, claim);
              });
      try {
        // for twice the lease, the claim stays held and never conflicts with itself
        Awaitility.await()
            .during(Duration.ofMillis(3000))
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    doc(s)
                        .path("doc")
                        .path("tasks")
                        .path("t1")
                        .path("claim")
                        .path("actor")
                        .asText()
                        .equals("worker"));
      } finally {
        clients.cancelTimer(timer);
      }
      assertTrue(beats.get() >= 5, "heartbeats: " + beats.get());
      assertTrue(holder.ofType("error").isEmpty(), holder.ofType("error").toString());
      assertTrue(
          watcher.ofType("conflict.opened").isEmpty(),
          watcher.ofType("conflict.opened").toString());
      assertTrue(
          watcher.ofType("change").stream()
              .noneMatch(f -> f.path("author").path("id").asText().equals("chorus-server")),
          "no release while the heartbeat runs");
      // the heartbeat stops (the holder hangs but stays connected): the lease runs out, and
      // everyone is told by a server-authored release
      JsonNode release =
          watcher.await(
              f ->
                  f.path("type").asText().equals("change")
                      && f.path("author").path("id").asText().equals("chorus-server"));
      assertEquals("release", release.path("ops").get(0).path("op").asText());
      assertEquals("tasks/t1", release.path("ops").get(0).path("path").asText());
      holder.await(
          f ->
              f.path("type").asText().equals("change")
                  && f.path("author").path("id").asText().equals("chorus-server"));
      assertTrue(doc(s).path("doc").path("tasks").path("t1").path("claim").isNull());
    }
  }
}
