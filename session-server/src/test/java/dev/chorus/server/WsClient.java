package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** A real websocket client for tests: records every frame, waits with Awaitility. */
final class WsClient implements AutoCloseable {
  static final ObjectMapper M = new ObjectMapper();
  private static final AtomicInteger BATCHES = new AtomicInteger();

  final List<JsonNode> frames = new CopyOnWriteArrayList<>();
  final WebSocket ws;
  final AtomicReference<Short> closeStatus = new AtomicReference<>();
  private final WebSocketClient client;

  private WsClient(WebSocketClient client, WebSocket ws) {
    this.client = client;
    this.ws = ws;
    ws.textMessageHandler(
        t -> {
          try {
            frames.add(M.readTree(t));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    ws.closeHandler(
        v ->
            closeStatus.compareAndSet(
                null, ws.closeStatusCode() == null ? (short) -1 : ws.closeStatusCode()));
  }

  /** Connects with a bearer header (token may be null). Throws UpgradeRejectedException. */
  static WsClient connect(Vertx vertx, int port, String session, String token) throws Exception {
    return connect(vertx, port, "/v1/sessions/" + session + "/ws", token, null);
  }

  static WsClient connect(Vertx vertx, int port, String uri, String token, String origin)
      throws Exception {
    WebSocketClient c =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(4 << 20).setMaxMessageSize(16 << 20));
    WebSocketConnectOptions o =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (token != null) {
      o.addHeader("Authorization", "Bearer " + token);
    }
    if (origin != null) {
      o.addHeader("Origin", origin);
    }
    try {
      WebSocket ws =
          c.connect(o).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return new WsClient(c, ws);
    } catch (ExecutionException e) {
      c.close();
      if (e.getCause() instanceof UpgradeRejectedException u) {
        throw u;
      }
      throw e;
    }
  }

  /** Connects and completes the hello/welcome exchange; returns the welcome. */
  static WsClient joined(Vertx vertx, int port, String session, String token) throws Exception {
    WsClient c = connect(vertx, port, session, token);
    c.hello(null, false);
    return c;
  }

  JsonNode hello(String since, boolean snapshots) {
    ObjectNode h =
        M.createObjectNode().put("type", "hello").put("clientId", "c" + BATCHES.incrementAndGet());
    if (since != null) {
      h.put("since", since);
    }
    if (snapshots) {
      h.put("snapshots", true);
    }
    send(h);
    return await(f -> f.path("type").asText().equals("welcome"));
  }

  JsonNode welcome() {
    return first(f -> f.path("type").asText().equals("welcome"));
  }

  void send(JsonNode frame) {
    sendText(frame.toString());
  }

  void sendText(String text) {
    ws.writeTextMessage(text).toCompletionStage().toCompletableFuture().join();
  }

  static String newBatchId() {
    return "b-" + System.nanoTime() + "-" + BATCHES.incrementAndGet();
  }

  /** Sends a batch; returns its id. */
  String batch(String basedOn, boolean strict, String opsJson) {
    return batch(newBatchId(), basedOn, strict, opsJson);
  }

  String batch(String batchId, String basedOn, boolean strict, String opsJson) {
    try {
      ObjectNode b = M.createObjectNode().put("type", "batch").put("batchId", batchId);
      b.put("basedOn", basedOn);
      if (strict) {
        b.put("precondition", "unchanged");
      }
      b.set("ops", M.readTree(opsJson));
      send(b);
      return batchId;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the ack or error of a batch. */
  JsonNode reply(String batchId) {
    return await(
        f ->
            (f.path("type").asText().equals("ack") || f.path("type").asText().equals("error"))
                && batchId.equals(f.path("batchId").asText()));
  }

  /** Sends a batch and waits for its ack (fails on error). */
  JsonNode write(String basedOn, String opsJson) {
    JsonNode r = reply(batch(basedOn, false, opsJson));
    if (!r.path("type").asText().equals("ack")) {
      throw new AssertionError("batch refused: " + r);
    }
    return r;
  }

  JsonNode await(Predicate<JsonNode> p) {
    AtomicReference<JsonNode> found = new AtomicReference<>();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(5))
        .until(
            () -> {
              for (JsonNode f : frames) {
                if (p.test(f)) {
                  found.set(f);
                  return true;
                }
              }
              return false;
            });
    return found.get();
  }

  JsonNode first(Predicate<JsonNode> p) {
    for (JsonNode f : frames) {
      if (p.test(f)) {
        return f;
      }
    }
    return null;
  }

  List<JsonNode> ofType(String type) {
    return frames.stream().filter(f -> f.path("type").asText().equals(type)).toList();
  }

  void awaitClosed() {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> closeStatus.get() != null);
  }

  @Override
  public void close() {
    try {
      ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // already closed
    }
    client.close();
  }
}
