package dev.chorus.load.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One benchmark client: a websocket to one node, sending one-op batches (an increment of its own
 * counter) at a steady rate with a bounded number in flight, counting acks, and — since every
 * participant of a session gets every change — timing how long changes other writers made through
 * other nodes took to reach it: cross-node propagation, from the writer's send to this client's
 * receipt of the {@code change} frame (one JVM, one clock).
 *
 * <p>Everything but the counters read at the end runs on the client's own Vert.x context.
 */
final class BenchWriter {
  private static final ObjectMapper M = new ObjectMapper();

  /** Send time (nanoTime) and origin node of every batch, shared by all writers. */
  record Sent(long nanos, String node) {}

  final int index;
  private final Vertx vertx;
  private final String session;
  private final String token;
  private final Map<String, Sent> sent;
  private final int window;
  private final Histogram propagation = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  // the same samples by the second of the phase they arrived in: is the tail spread or bunched?
  private final Map<Integer, Histogram> bySecond = new TreeMap<>();
  private long recordingSince;
  private Context context;
  // Vert.x 5 closes a client (and its connections) once nothing references it: keep it.
  private WebSocketClient client;
  private WebSocket ws;
  private String node;
  private String basedOn;
  private long seq;
  private int inFlight;
  private double credit;
  private long timer = -1;
  private double ratePerSecond;
  private boolean recording;
  volatile long acked;
  volatile long sentCount;
  volatile long errors;

  BenchWriter(
      int index, Vertx vertx, String session, String token, Map<String, Sent> sent, int window) {
    this.index = index;
    this.vertx = vertx;
    this.session = session;
    this.token = token;
    this.sent = sent;
    this.window = window;
  }

  /** Connects to {@code port} (node {@code node}), says hello, completes with the welcome. */
  io.vertx.core.Future<JsonNode> connect(int port, String node) {
    Promise<JsonNode> welcome = Promise.promise();
    this.node = node;
    if (client == null) {
      client = vertx.createWebSocketClient();
    }
    WebSocketClient c = client;
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI("/v1/sessions/" + session + "/ws?shape=generic")
            .addHeader("Authorization", "Bearer " + token);
    c.connect(o)
        .onFailure(welcome::tryFail)
        .onSuccess(
            w -> {
              context = vertx.getOrCreateContext();
              ws = w;
              inFlight = 0;
              w.textMessageHandler(t -> onFrame(t, welcome));
              w.closeHandler(v -> welcome.tryFail("closed before welcome"));
              w.writeTextMessage(
                  "{\"type\":\"hello\",\"clientId\":\"bench-" + index + "-" + node + "\"}");
            });
    return welcome.future();
  }

  private void onFrame(String text, Promise<JsonNode> welcome) {
    JsonNode f;
    try {
      f = M.readTree(text);
    } catch (Exception e) {
      return;
    }
    switch (f.path("type").asText()) {
      case "welcome":
        basedOn = f.path("version").asText();
        welcome.tryComplete(f);
        break;
      case "ack":
        acked++;
        inFlight--;
        break;
      case "error":
        errors++;
        if (f.has("batchId")) {
          inFlight--;
        }
        break;
      case "change":
        Sent s = sent.get(f.path("batchId").asText());
        if (recording && s != null && !s.node().equals(node)) {
          long now = System.nanoTime();
          long value = Math.max(0, now - s.nanos());
          propagation.recordValue(value);
          bySecond
              .computeIfAbsent(
                  (int) ((now - recordingSince) / 1_000_000_000L),
                  k -> new Histogram(TimeUnit.SECONDS.toNanos(60), 2))
              .recordValue(value);
        }
        break;
      default:
    }
  }

  /** Sends one batch now (setup), outside the pacing. */
  void sendRaw(String batchJson) {
    ws.writeTextMessage(batchJson);
  }

  /** Starts sending at {@code rate} batches per second (runs until {@link #pause}). */
  void run(double rate, boolean record) {
    context.runOnContext(
        v -> {
          ratePerSecond = rate;
          recording = record;
          // what was recorded before (a warm-up) is not part of this phase
          propagation.reset();
          bySecond.clear();
          recordingSince = System.nanoTime();
          credit = 0;
          if (timer < 0) {
            timer = vertx.setPeriodic(5, t -> tick());
          }
        });
  }

  void pause() {
    context.runOnContext(
        v -> {
          if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
          }
        });
  }

  void stopRecording() {
    context.runOnContext(v -> recording = false);
  }

  private void tick() {
    credit += ratePerSecond * 0.005;
    while (credit >= 1 && inFlight < window && ws != null && !ws.isClosed()) {
      credit--;
      String id = "w" + index + "-" + (++seq);
      sent.put(id, new Sent(System.nanoTime(), node));
      inFlight++;
      sentCount++;
      ws.writeTextMessage(
          "{\"type\":\"batch\",\"batchId\":\""
              + id
              + "\",\"basedOn\":\""
              + basedOn
              + "\",\"ops\":[{\"op\":\"increment\",\"path\":\"bench/w"
              + index
              + "\",\"by\":1}]}");
    }
    if (credit > window) {
      credit = window; // behind: do not build an unbounded backlog
    }
  }

  /** Moves this writer to another node (its node died): new connection, same counter. */
  io.vertx.core.Future<JsonNode> reconnect(int port, String toNode) {
    pause();
    WebSocket old = ws;
    ws = null;
    if (old != null && !old.isClosed()) {
      old.close();
    }
    return connect(port, toNode);
  }

  boolean closed() {
    return ws == null || ws.isClosed();
  }

  String node() {
    return node;
  }

  /** Propagation latencies recorded so far (copy; read after {@link #stopRecording}). */
  Histogram propagation() {
    Promise<Histogram> p = Promise.promise();
    context.runOnContext(v -> p.complete(propagation.copy()));
    try {
      return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@link #propagation} by the second of the phase it arrived in (copy, as that). */
  Map<Integer, Histogram> propagationBySecond() {
    Promise<Map<Integer, Histogram>> p = Promise.promise();
    context.runOnContext(
        v -> {
          Map<Integer, Histogram> copy = new TreeMap<>();
          bySecond.forEach((k, h) -> copy.put(k, h.copy()));
          p.complete(copy);
        });
    try {
      return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Sent> sharedLog() {
    return new ConcurrentHashMap<>();
  }
}
