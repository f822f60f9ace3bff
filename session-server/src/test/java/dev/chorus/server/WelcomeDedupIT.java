package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.clock.VersionVector;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that joins while a batch is applied but not yet committed gets that change in its
 * welcome, and must not get it a second time as a {@code change} frame once the commit is done. The
 * commit is held back for real: the node stores in PostgreSQL and the test holds a lock on the
 * changes table until the second client has its welcome.
 */
class WelcomeDedupIT {
  private static final String STEP =
      "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":{\"title\":\"%s\"}}]";

  private static PgServer pg;
  private static String db;
  private static TestServer node;
  private static Vertx clients;

  @BeforeAll
  static void start() throws Exception {
    pg = PgServer.start();
    db = pg.newDatabase();
    node = TestServer.start("--store-url", db);
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) {
      clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  private static String url(String s) {
    return node.base() + "/v1/sessions/" + s;
  }

  @Test
  void aChangeTheWelcomeHeld_isNotSentAgainAfterItsCommit() throws Exception {
    String s = "dedup-" + Long.toHexString(System.nanoTime());
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s))) {
      String v0 = alice.welcome().path("version").asText();
      String held;
      try (WsClient bob = connectLater(s);
          Connection lock = DriverManager.getConnection(db)) {
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
          // SELECTs still pass, the node's INSERT of the next commit waits
          st.execute("LOCK TABLE chorus_changes IN EXCLUSIVE MODE");
        }
        held = alice.batch(v0, false, String.format(STEP, "held"));
        // applied in memory (the document shows it), not committed (no ack)
        Awaitility.await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    Rest.get(url(s), node.human("carol", s)).body().path("doc").path("plan").size()
                        == 1);
        assertTrue(alice.first(f -> held.equals(f.path("batchId").asText())) == null);

        JsonNode welcome = bob.hello(null, false);
        assertEquals(1, welcome.path("doc").path("plan").size(), "the welcome holds the change");
        String heldVersion = welcome.path("version").asText();
        lock.rollback(); // the commit goes through now

        JsonNode ack = alice.reply(held);
        assertEquals("ack", ack.path("type").asText());
        assertTrue(
            VersionVector.parse(heldVersion)
                .dominates(VersionVector.parse(ack.path("version").asText())));

        // a change after bob's welcome still reaches him, exactly once
        String after =
            alice
                .write(ack.path("version").asText(), String.format(STEP, "after"))
                .path("batchId")
                .asText();
        bob.await(f -> after.equals(f.path("batchId").asText()));
        sync(bob);
        assertEquals(
            0,
            bob.ofType("change").stream()
                .filter(f -> held.equals(f.path("batchId").asText()))
                .count(),
            "bob got the change his welcome held again: " + bob.frames);
        assertEquals(
            1,
            bob.ofType("change").stream()
                .filter(f -> after.equals(f.path("batchId").asText()))
                .count());
      }
    }
  }

  /** Connects (the session is loaded already), without the hello yet. */
  private static WsClient connectLater(String s) throws Exception {
    return WsClient.connect(clients, node.port(), s, node.human("bob", s));
  }

  /** Everything the node sent before the pong has arrived. */
  private static void sync(WsClient c) {
    String nonce = "sync-" + System.nanoTime();
    c.send(WsClient.M.createObjectNode().put("type", "ping").put("nonce", nonce));
    c.await(f -> nonce.equals(f.path("nonce").asText()));
  }
}
