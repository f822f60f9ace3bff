package dev.chorus.load.harness.peer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.load.harness.Json;
import dev.chorus.load.harness.scenario.RunContext;
import dev.chorus.load.harness.scenario.Stream;
import dev.chorus.load.harness.scenario.StreamMeter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Stream} workload through a {@link RelayServer}: the same writes (key {@code c<i mod
 * keys>}, {@link Stream#payload}), the same window and the same measurement ({@link StreamMeter}).
 * The writer sends each write as one JSON text message; a reader parses it to find its {@code seq}
 * — the least a client can do with a write it receives.
 */
public final class RelayStream {
  private RelayStream() {}

  public static Stream.Result run(
      int port, String room, int readers, int ops, int window, int keys, long timeoutMs)
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client =
          vertx.createWebSocketClient(
              new WebSocketClientOptions().setMaxConnections(10_000).setConnectTimeout(10_000));
      WebSocketConnectOptions to =
          new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/" + room);
      StreamMeter meter = new StreamMeter(readers, ops, window);
      WebSocket[] writer = new WebSocket[1];
      Context[] writerContext = new Context[1];
      Runnable[] pump = new Runnable[1];
      List<Future<WebSocket>> joined = new ArrayList<>();
      for (int r = 0; r < readers; r++) {
        int reader = r;
        joined.add(
            client
                .connect(to)
                .onSuccess(
                    ws ->
                        ws.textMessageHandler(
                            text -> {
                              int seq = Json.parse(text).path("value").path("seq").asInt(-1);
                              if (meter.received(reader, seq)) {
                                writerContext[0].runOnContext(v -> pump[0].run());
                              }
                            })));
      }
      if (RunContext.await(joined, 60_000) > 0) {
        throw new IllegalStateException("relay readers did not connect");
      }
      Future<WebSocket> w = client.connect(to);
      if (RunContext.await(List.of(w), 30_000) > 0) {
        throw new IllegalStateException("relay writer did not connect");
      }
      writer[0] = w.result();
      writerContext[0] = vertx.getOrCreateContext();
      pump[0] =
          () -> {
            for (int i = meter.nextToSend(); i >= 0; i = meter.nextToSend()) {
              ObjectNode m = Json.obj().put("key", "c" + (i % keys));
              m.set("value", Stream.payload(i));
              writer[0].writeTextMessage(m.toString());
            }
          };
      writerContext[0].runOnContext(v -> pump[0].run());
      meter.await(timeoutMs);
      return meter.result();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
