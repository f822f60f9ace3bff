package dev.chorus.server;

import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh PostgreSQL database, a test cluster sharing it, and a Vert.x for websocket clients, per
 * test: for tests that kill, partition or restart members, so no state carries over between tests.
 */
abstract class PgClusterTestBase {
  PgServer pg;
  TestCluster cluster;
  Vertx clients;

  @BeforeEach
  void startPgAndCluster() throws Exception {
    pg = PgServer.start();
    cluster = new TestCluster(pg.newDatabase());
    clients = Vertx.vertx();
  }

  @AfterEach
  void stopPgAndCluster() throws Exception {
    clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    cluster.close();
    pg.close();
  }
}
