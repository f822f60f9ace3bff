package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.client.Ack;
import dev.chorus.client.ChorusClient;
import dev.chorus.client.ChorusListener;
import dev.chorus.client.ChorusRest;
import dev.chorus.client.Refused;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The agents' Java client (chorus-client) against a real node. */
class ChorusClientIT extends ItBase {

  /** Records what a client's listener was told. */
  static class Heard implements ChorusListener {
    final List<JsonNode> welcomes = new CopyOnWriteArrayList<>();
    final List<JsonNode> errors = new CopyOnWriteArrayList<>();
    final List<Throwable> connectFailures = new CopyOnWriteArrayList<>();
    final List<JsonNode> opened = new CopyOnWriteArrayList<>();
    final List<JsonNode> resolved = new CopyOnWriteArrayList<>();
    final List<JsonNode> changes = new CopyOnWriteArrayList<>();

    @Override
    public void onConflictOpened(JsonNode conflict) {
      opened.add(conflict);
    }

    @Override
    public void onConflictResolved(JsonNode frame) {
      resolved.add(frame);
    }

    @Override
    public void onChange(JsonNode change) {
      changes.add(change);
    }

    @Override
    public void onWelcome(JsonNode welcome) {
      welcomes.add(welcome);
    }

    @Override
    public void onError(JsonNode error) {
      errors.add(error);
    }

    @Override
    public void onConnectFailed(Throwable cause) {
      connectFailures.add(cause);
    }
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static ArrayNode ops(String json) throws Exception {
    return (ArrayNode) Rest.M.readTree(json);
  }

  private static ChorusClient client(int port, String session, String id, String token, Heard h) {
    return new ChorusClient(
        clients, new ChorusClient.Options("127.0.0.1", port, session, id, () -> token, false), h);
  }

  private static final String TASK =
      "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]";
  private static final String STATUS = "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":";

  @Test
  void keepsTheLastVersion_sendsItAsBasedOn_soSequentialWritesNeverConflict() throws Exception {
    String s = newSession();
    ChorusClient alice = client(node.port(), s, "alice-1", node.human("alice", s), new Heard());
    Heard plannerHeard = new Heard();
    ChorusClient planner =
        client(node.port(), s, "planner-1", node.agent("planner", s), plannerHeard);
    try {
      get(alice.connect());
      get(planner.connect());
      Ack a = get(alice.submit(ops(TASK)));
      assertEquals(a.version(), alice.version());
      Ack b = get(alice.submit(ops(STATUS + "\"doing\"}]")));
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> b.version().equals(planner.version()));
      get(planner.submit(ops(STATUS + "\"done\"}]"))); // based on what it was sent: supersedes
      assertEquals(
          0,
          Rest.get(url(s) + "/conflicts", node.human("alice", s)).body().path("conflicts").size());
      assertEquals(2, plannerHeard.changes.size());
    } finally {
      get(alice.close());
      get(planner.close());
    }
  }

  @Test
  void aListenerWantingNoChangeBodies_hearsEachChangesHead_andItsClientKeepsTheVersion()
      throws Exception {
    String s = newSession();
    Heard counterHeard =
        new Heard() {
          @Override
          public boolean wantsChangeBodies() {
            return false;
          }
        };
    ChorusClient alice = client(node.port(), s, "alice-h", node.human("alice", s), new Heard());
    ChorusClient counter =
        client(node.port(), s, "counter-h", node.agent("planner", s), counterHeard);
    try {
      get(alice.connect());
      get(counter.connect());
      get(alice.submit(ops(TASK), null, false, "head-1"));
      Ack b = get(alice.submit(ops(STATUS + "\"doing\"}]"), null, false, "head-2"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> b.version().equals(counter.version()));
      assertEquals(2, counterHeard.changes.size());
      JsonNode last = counterHeard.changes.get(1);
      assertEquals("head-2", last.path("batchId").asText());
      assertEquals(b.version(), last.path("version").asText());
      assertEquals("alice", last.path("author").path("id").asText());
      assertFalse(last.has("ops") || last.has("changes"), last.toString());
    } finally {
      get(alice.close());
      get(counter.close());
    }
  }

  @Test
  void concurrentWrites_deliverTheConflictAsACallbackToBoth_resolveEndsIt() throws Exception {
    String s = newSession();
    Heard ah = new Heard();
    Heard ph = new Heard();
    ChorusClient alice = client(node.port(), s, "alice-2", node.human("alice", s), ah);
    ChorusClient planner = client(node.port(), s, "planner-2", node.agent("planner", s), ph);
    try {
      get(alice.connect());
      get(planner.connect());
      String v1 = get(alice.submit(ops(TASK))).version();
      get(alice.submit(ops(STATUS + "\"done\"}]"), v1, false));
      get(planner.submit(ops(STATUS + "\"cancelled\"}]"), v1, false)); // decided on v1
      for (Heard h : List.of(ah, ph)) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !h.opened.isEmpty());
        assertEquals("tasks/t1/status", h.opened.get(0).path("path").asText());
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> planner.conflicts().size() == 1);
      String id = planner.conflicts().keySet().iterator().next();
      get(planner.resolve("tasks/t1/status", Rest.M.createObjectNode().put("value", "done"), id));
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !ah.resolved.isEmpty());
      assertEquals("planner", ah.resolved.get(0).path("by").path("id").asText());
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> alice.conflicts().isEmpty());
    } finally {
      get(alice.close());
      get(planner.close());
    }
  }

  @Test
  void aBatchWhoseAckWasLost_isResentUnderItsIdAfterReconnect_andAppliedOnce() throws Exception {
    String s = newSession();
    String token = node.agent("planner", s);
    try (CutProxy proxy = CutProxy.start(clients, node.port())) {
      ChorusClient planner = client(proxy.port(), s, "planner-3", token, new Heard());
      try {
        String v0 = get(planner.connect()).path("version").asText();
        proxy.swallowReplies(true); // the ack will not arrive
        Future<Ack> ack =
            planner.submit(
                ops("[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"x\"}]"));
        Awaitility.await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> !Rest.get(url(s), token).body().path("version").asText().equals(v0));
        assertFalse(ack.isComplete());
        proxy.cutAll();
        proxy.swallowReplies(false);
        Ack a = get(ack);
        assertTrue(a.duplicate(), "the server had it: acked as a duplicate, not applied again");
        JsonNode doc = Rest.get(url(s) + "?view=plain", token).body();
        assertEquals(1, doc.path("doc").path("plan").size());
        assertEquals(a.version(), doc.path("version").asText());
      } finally {
        get(planner.close());
      }
    }
  }

  @Test
  void rateLimitedBatches_areRetriedAfterRetryAfterMs_untilAllApply() throws Exception {
    try (TestServer slow = TestServer.start("--ops-per-second", "2")) {
      String s = newSession();
      ChorusClient planner =
          client(slow.port(), s, "planner-4", slow.agent("planner", s), new Heard());
      try {
        get(planner.connect());
        List<Future<Ack>> acks = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          acks.add(
              planner.submit(
                  ops(
                      "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"s"
                          + i
                          + "\"}]")));
        }
        for (Future<Ack> f : acks) {
          assertFalse(get(f).duplicate());
        }
        assertTrue(planner.retries() > 0, "some batch was refused with rate_limited and re-sent");
        JsonNode doc =
            Rest.get(slow.base() + "/v1/sessions/" + s + "?view=plain", slow.agent("planner", s))
                .body();
        assertEquals(8, doc.path("doc").path("plan").size());
      } finally {
        get(planner.close());
      }
    }
  }

  @Test
  void aTokenForAnotherSession_failsConnectForGood() throws Exception {
    String s = newSession();
    ChorusClient intruder =
        client(node.port(), s, "x-1", node.agent("planner", newSession()), new Heard());
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(intruder.connect()));
    assertInstanceOf(Refused.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("403"), e.getCause().getMessage());
    get(intruder.close());
  }

  @Test
  void restClient_keepsTheVersion_strictStaleWriteIsRefusedWithUnseen_retryIsOnce()
      throws Exception {
    String s = newSession();
    String token = node.agent("planner", s);
    ChorusRest rest = new ChorusRest(node.base(), s, () -> token);
    rest.read().get(20, TimeUnit.SECONDS);
    JsonNode w = rest.apply(ops(TASK)).get(20, TimeUnit.SECONDS);
    assertEquals(w.path("version").asText(), rest.version());
    String seen = rest.version();
    Rest.post(
        url(s) + "/ops",
        node.human("alice", s),
        "{\"ops\":" + STATUS + "\"done\"}]}",
        "Idempotency-Key",
        "a-1");
    ExecutionException e =
        assertThrows(
            ExecutionException.class,
            () ->
                rest.apply(ops(STATUS + "\"doing\"}]"), seen, true, "g-1")
                    .get(20, TimeUnit.SECONDS));
    Refused r = assertInstanceOf(Refused.class, e.getCause());
    assertEquals("precondition_failed", r.code());
    assertEquals("alice", r.body().path("unseen").get(0).path("author").path("id").asText());
    JsonNode once =
        rest.apply(
                ops("[{\"op\":\"set\",\"path\":\"tasks/t2\",\"value\":{\"title\":\"U\"}}]"),
                null,
                false,
                "g-2")
            .get(20, TimeUnit.SECONDS);
    JsonNode twice =
        rest.apply(
                ops("[{\"op\":\"set\",\"path\":\"tasks/t2\",\"value\":{\"title\":\"U\"}}]"),
                null,
                false,
                "g-2")
            .get(20, TimeUnit.SECONDS);
    assertFalse(once.path("duplicate").asBoolean());
    assertTrue(twice.path("duplicate").asBoolean());
  }

  private static ArrayNode step(String name) throws Exception {
    return ops("[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"" + name + "\"}]");
  }

  @Test
  void pipelinedWritesUnderOwnIds_areEachAckedOnce_flushWaitsForAll_aReSubmitIsADuplicate()
      throws Exception {
    String s = newSession();
    ChorusClient planner =
        client(node.port(), s, "planner-5", node.agent("planner", s), new Heard());
    try {
      String v0 = get(planner.connect()).path("version").asText();
      List<Future<Ack>> acks = new ArrayList<>();
      for (int i = 0; i < 20; i++) { // all sent at once, none waits for an ack
        acks.add(planner.submit(step("s" + i), v0, false, "planner-5-step-" + i));
      }
      assertTrue(get(planner.flush(20_000)));
      assertEquals(0, planner.pending());
      for (int i = 0; i < 20; i++) {
        Ack a = acks.get(i).result();
        assertEquals("planner-5-step-" + i, a.batchId());
        assertFalse(a.duplicate());
        assertEquals(1, a.sends());
        assertTrue(a.latencyNanos() > 0);
        assertTrue(a.insertedId(0) != null);
      }
      // the same write again (an agent's restart): same id, ops and basedOn
      Ack again = get(planner.submit(step("s3"), v0, false, "planner-5-step-3"));
      assertTrue(again.duplicate(), "the server applies one batch id once, ever");
      ExecutionException other =
          assertThrows(
              ExecutionException.class,
              () -> get(planner.submit(step("s4"), v0, false, "planner-5-step-3")));
      assertEquals("batch_id_reused", assertInstanceOf(Refused.class, other.getCause()).code());
      JsonNode doc = Rest.get(url(s) + "?view=plain", node.agent("planner", s)).body();
      assertEquals(20, doc.path("doc").path("plan").size());
    } finally {
      get(planner.close());
    }
  }

  @Test
  void writesWhileOffline_goOutOnGoOnline_syncFailsOffline_andWorksOnline() throws Exception {
    String s = newSession();
    Heard bobHeard = new Heard();
    ChorusClient alice = client(node.port(), s, "alice-6", node.human("alice", s), new Heard());
    ChorusClient bob = client(node.port(), s, "bob-6", node.human("bob", s), bobHeard);
    try {
      get(alice.connect());
      get(bob.connect());
      get(alice.goOffline());
      assertFalse(alice.live());
      ExecutionException e = assertThrows(ExecutionException.class, () -> get(alice.sync()));
      assertEquals("offline", assertInstanceOf(Refused.class, e.getCause()).code());
      Future<Ack> queued = alice.submit(ops(TASK)); // (hops to the client's context)
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> alice.pending() == 1);
      assertFalse(queued.isComplete());
      alice.goOnline();
      Ack a = get(queued);
      assertEquals(1, a.sends());
      assertTrue(alice.live());
      get(alice.sync());
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> a.version().equals(bob.version()));
      assertEquals(a.batchId(), bobHeard.changes.get(0).path("batchId").asText());
    } finally {
      get(alice.close());
      get(bob.close());
    }
  }

  @Test
  void moveTo_resumesOnTheOtherAddress_withSince() throws Exception {
    String s = newSession();
    Heard h = new Heard();
    try (CutProxy proxy = CutProxy.start(clients, node.port())) {
      ChorusClient planner = client(proxy.port(), s, "planner-7", node.agent("planner", s), h);
      try {
        get(planner.connect());
        get(planner.submit(ops(TASK)));
        planner.moveTo("127.0.0.1", node.port());
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.welcomes.size() == 2);
        assertTrue(h.welcomes.get(1).path("resumed").asBoolean(), h.welcomes.get(1).toString());
        proxy.cutAll(); // the old address is gone: the client is not there any more
        Ack b = get(planner.submit(ops(STATUS + "\"doing\"}]")));
        assertFalse(b.duplicate());
        assertEquals(b.version(), planner.version());
      } finally {
        get(planner.close());
      }
    }
  }

  @Test
  void aRetryPastTheBudget_failsAsGaveUp_withTheServersRefusal() throws Exception {
    try (TestServer slow = TestServer.start("--ops-per-second", "1")) {
      String s = newSession();
      Heard h = new Heard();
      ChorusClient planner =
          new ChorusClient(
              clients,
              new ChorusClient.Options(
                      "127.0.0.1",
                      slow.port(),
                      s,
                      "planner-8",
                      () -> slow.agent("planner", s),
                      false)
                  .givingUpAfter(1),
              h);
      try {
        get(planner.connect());
        List<Future<Ack>> acks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          acks.add(planner.submit(step("s" + i)));
        }
        assertTrue(get(planner.flush(20_000)));
        List<Refused> gaveUp = new ArrayList<>();
        for (Future<Ack> f : acks) {
          if (f.failed()) {
            gaveUp.add(assertInstanceOf(Refused.class, f.cause()));
          }
        }
        assertFalse(gaveUp.isEmpty(), "some batch was rate limited");
        for (Refused r : gaveUp) {
          assertEquals("gave_up", r.code());
          assertEquals("rate_limited", r.body().path("code").asText());
        }
        assertEquals(0, planner.retries());
        assertTrue(h.errors.stream().anyMatch(e -> e.path("code").asText().equals("rate_limited")));
      } finally {
        get(planner.close());
      }
    }
  }

  @Test
  void aFailedConnectAttempt_isReported_andRetried() throws Exception {
    String s = newSession();
    Heard h = new Heard();
    int port;
    try (CutProxy gone = CutProxy.start(clients, node.port())) {
      port = gone.port();
    }
    ChorusClient planner = client(port, s, "planner-9", node.agent("planner", s), h);
    try {
      planner.connect();
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> h.connectFailures.size() >= 2);
      assertFalse(planner.live());
    } finally {
      get(planner.close());
    }
  }
}
