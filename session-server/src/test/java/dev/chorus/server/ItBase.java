package dev.chorus.server;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One node per test class; a client-side Vert.x for websockets; a fresh session per call. */
abstract class ItBase {
  static TestServer node;
  static Vertx clients;
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  @BeforeAll
  static void startNode() throws Exception {
    node = TestServer.start();
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (clients != null) {
      clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  static String newSession() {
    return "s" + SESSIONS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
  }

  static String url(String session) {
    return node.base() + "/v1/sessions/" + session;
  }
}
