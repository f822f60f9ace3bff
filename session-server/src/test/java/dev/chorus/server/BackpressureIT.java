package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backpressure (issue 7): a client that stops reading while a writer keeps going is not buffered
 * without bound — past {@code --max-write-queue-frames} unflushed frames it is disconnected with
 * {@code slow_consumer} (close 4408); the writer is never held up; and a resume with {@code since}
 * loses nothing.
 */
class BackpressureIT {
  static TestServer node;
  static Vertx clients;

  @BeforeAll
  static void start() throws Exception {
    node = TestServer.start("--max-write-queue-frames", "32");
    clients = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void aClientThatStopsReading_isDisconnectedAsSlowConsumer_andResumesWithoutLoss()
      throws Exception {
    String s = "slow";
    int batches = 300;
    String big = "x".repeat(30_000);
    WsClient slow = WsClient.connect(clients, node.port(), s, node.human("sloth", s));
    JsonNode welcome = slow.hello(null, true);
    try (WsClient writer = WsClient.joined(clients, node.port(), s, node.agent("writer", s))) {
      slow.ws.pause(); // stops reading: TCP buffers fill, the server's writes stop completing
      String v = writer.welcome().path("version").asText();
      for (int i = 0; i < batches; i++) {
        // a big field overwritten each time (big frames, bounded document) and one step kept
        v =
            writer
                .write(
                    v,
                    "[{\"op\":\"set\",\"path\":\"big\",\"value\":\""
                        + big
                        + "\"},{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"s"
                        + i
                        + "\"}]")
                .path("version")
                .asText();
      }
      // the writer was never held up; the slow client, once it reads again, learns why it was cut
      slow.ws.resume();
      JsonNode err =
          slow.await(
              f ->
                  f.path("type").asText().equals("error")
                      && f.path("code").asText().equals("slow_consumer"));
      assertTrue(err.path("fatal").asBoolean());
      assertTrue(err.path("message").asText().contains("since"));
      assertTrue(err.path("retryAfterMs").asLong() >= 500, err.toString());
      slow.awaitClosed();
      assertEquals((short) 4408, slow.closeStatus.get());
      int received = slow.ofType("change").size();
      assertTrue(received < batches, "it was cut off before the end: " + received);

      // resume from the last version it saw: nothing lost
      String since = welcome.path("version").asText();
      for (JsonNode f : slow.ofType("change")) {
        since = f.path("version").asText();
      }
      try (WsClient again = WsClient.connect(clients, node.port(), s, node.human("sloth", s))) {
        JsonNode w = again.hello(since, true);
        JsonNode doc = w.path("doc");
        assertEquals(batches, doc.path("plan").size(), "every step is there after the resume");
        assertEquals(v, w.path("version").asText());
        JsonNode server = Rest.get(node.base() + "/v1/sessions/" + s, node.human("r", s)).body();
        assertEquals(server.path("doc"), doc);
        assertEquals(server.path("stateHash").asText(), w.path("stateHash").asText());
        if (w.path("resumed").asBoolean()) {
          assertEquals(batches - received, w.path("changes").size());
        }
      }
      // the node is fine and the writer's connection too
      writer.send(WsClient.M.readTree("{\"type\":\"ping\",\"nonce\":\"ok\"}"));
      writer.await(f -> f.path("type").asText().equals("pong"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  Rest.get(node.base() + "/health", null).body().path("connections").asInt() == 1);
    } finally {
      slow.close();
    }
  }
}
