package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An event-stream reader that stops reading is a slow consumer exactly as a websocket one: past
 * {@code --max-write-queue-frames} unflushed events its stream ends with a last {@code error} event
 * ({@code slow_consumer}), the writer is never held up, and a resume from {@code Last-Event-ID}
 * loses nothing.
 */
class EventStreamBackpressureIT {
  static TestServer node;

  @BeforeAll
  static void start() throws Exception {
    node = TestServer.start("--max-write-queue-frames", "32");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aReaderThatStopsReading_isCutAsSlowConsumer_andResumesWithoutLoss() throws Exception {
    String s = "slow-sse";
    int batches = 300;
    String big = "x".repeat(30_000);
    String token = node.human("sloth", s);
    String events = node.base() + "/v1/sessions/" + s + "/events";
    String v = Rest.get(node.base() + "/v1/sessions/" + s, token).body().path("version").asText();
    try (SseClient slow = SseClient.open(events, token, v, false)) {
      String writer = node.agent("writer", s);
      for (int i = 0; i < batches; i++) {
        Rest.Response w =
            Rest.post(
                node.base() + "/v1/sessions/" + s + "/ops",
                writer,
                "{\"basedOn\":\""
                    + v
                    + "\",\"ops\":[{\"op\":\"set\",\"path\":\"big\",\"value\":\""
                    + big
                    + "\"},{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"s"
                    + i
                    + "\"}]}",
                "Idempotency-Key",
                "w-" + i);
        assertEquals(200, w.status(), w.body().toString());
        v = w.body().path("version").asText();
      }
      slow.startReading();
      SseClient.Event err = slow.awaitType("error");
      assertEquals("slow_consumer", err.data().path("code").asText());
      assertTrue(err.data().path("fatal").asBoolean());
      assertTrue(err.data().path("retryAfterMs").asLong() >= 500, err.data().toString());
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> slow.ended);
      List<SseClient.Event> got = slow.ofType("change");
      assertTrue(got.size() < batches, "it was cut off before the end: " + got.size());

      String last =
          got.isEmpty()
              ? slow.awaitType("welcome").data().path("version").asText()
              : got.get(got.size() - 1).id();
      try (SseClient again = SseClient.open(events, token, last)) {
        String end = v;
        again.await(e -> end.equals(e.id()));
        Set<String> ids = new LinkedHashSet<>();
        got.forEach(e -> ids.add(e.id()));
        again.ofType("change").forEach(e -> ids.add(e.id()));
        assertEquals(batches, ids.size(), "every change once, across the cut");
        assertEquals(batches, got.size() + again.ofType("change").size(), "none twice");
      }
    }
    JsonNode doc = Rest.get(node.base() + "/v1/sessions/" + s + "?view=plain", token).body();
    assertEquals(batches, doc.path("doc").path("plan").size());
  }
}
