package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A client of one session over the websocket protocol v1 (docs/protocol.md), for agents and tools
 * written in Java. It does what every robust client must, so its owner does not:
 *
 * <ul>
 *   <li>keeps the last version it saw (welcome, change, ack) and sends it as {@code basedOn} unless
 *       told which version a write was decided on;
 *   <li>keeps every batch until it is acked or refused, and after a reconnect (with {@code since} =
 *       the last version) re-sends the unacked ones under their original ids — the server applies
 *       each once and acks a re-send as a duplicate;
 *   <li>re-sends a batch refused with {@code rate_limited}, {@code overloaded} or {@code internal}
 *       after the server's {@code retryAfterMs} plus jitter; reconnects with full-jitter backoff,
 *       or after the {@code retryAfterMs} of a {@code shutting_down} / {@code slow_consumer} error;
 *   <li>pings every 15 s and treats a missing pong as a dead connection;
 *   <li>delivers changes, conflicts and presence as {@link ChorusListener} callbacks.
 * </ul>
 *
 * <p>Everything runs on one Vert.x context: callbacks and futures complete there, and public
 * methods may be called from any thread.
 */
public final class ChorusClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final long PING_MS = 15_000;
  private static final long PONG_TIMEOUT_MS = 10_000;
  private static final Set<String> RETRYABLE = Set.of("rate_limited", "overloaded", "internal");

  /**
   * Where and as whom to connect.
   *
   * @param token called for every connection attempt (a fresh token after one expired)
   * @param snapshots whether change frames and acks carry the whole document ({@link #doc})
   */
  public record Options(
      String host,
      int port,
      String session,
      String clientId,
      Supplier<String> token,
      boolean snapshots) {}

  /** A batch sent (or to send) and not acked or refused yet. */
  private static final class Pending {
    final String batchId;
    final String text;
    final Promise<Ack> promise = Promise.promise();
    int attempts;

    Pending(String batchId, String text) {
      this.batchId = batchId;
      this.text = text;
    }
  }

  private final Vertx vertx;
  private final Context ctx;
  private final Options options;
  private final ChorusListener listener;
  private final WebSocketClient sockets;
  private final String batchPrefix;
  private final AtomicLong batchSeq = new AtomicLong();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Promise<JsonNode> firstWelcome = Promise.promise();

  private WebSocket ws;
  private boolean welcomed;
  private boolean closed;
  private int attempt;
  private long retryAfterMs = -1;
  private long pingTimer = -1;
  private long pingSentAt;
  private ObjectNode presence;
  private volatile String version;
  private volatile JsonNode doc;
  private volatile Map<String, JsonNode> conflicts = Map.of();
  private final AtomicLong retries = new AtomicLong();

  public ChorusClient(Vertx vertx, Options options, ChorusListener listener) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.options = options;
    this.listener = listener == null ? new ChorusListener() {} : listener;
    this.sockets =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(4 << 20).setMaxMessageSize(64 << 20));
    this.batchPrefix =
        options.clientId() + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  /** Connects (and from now on reconnects); completes with the first welcome. */
  public Future<JsonNode> connect() {
    ctx.runOnContext(
        v -> {
          open();
          pingTimer = vertx.setPeriodic(PING_MS, t -> ping());
        });
    return firstWelcome.future();
  }

  /** The last version seen ({@code null} before the first welcome). Any thread. */
  public String version() {
    return version;
  }

  /** The last document seen, with {@code snapshots}; else the welcome's. Any thread. */
  public JsonNode doc() {
    return doc;
  }

  /** Open conflicts by id, as of the last frame. Any thread. */
  public Map<String, JsonNode> conflicts() {
    return conflicts;
  }

  /** How many times a batch was re-sent after a retryable refusal. Any thread. */
  public long retries() {
    return retries.get();
  }

  /** Writes {@code ops} based on the last version seen. */
  public Future<Ack> submit(ArrayNode ops) {
    return hop(() -> submit(ops, version, false));
  }

  /**
   * Writes {@code ops} as decided on the view at {@code basedOn}; with {@code strict}, nothing is
   * applied if changes not included in it touched their paths ({@link Refused} {@code
   * precondition_failed}, with {@code unseen}).
   */
  public Future<Ack> submit(ArrayNode ops, String basedOn, boolean strict) {
    ObjectNode b = JSON.createObjectNode();
    b.put("type", "batch");
    b.put("batchId", batchPrefix + batchSeq.incrementAndGet());
    b.put("basedOn", basedOn == null ? "" : basedOn);
    if (strict) {
      b.put("precondition", "unchanged");
    }
    b.set("ops", ops);
    return enqueue(b);
  }

  /**
   * Resolves a conflict at {@code path} with {@code form}: {@code {"value": ...}}, {@code
   * {"delete": true}} or {@code {"keep": true}}. Like every write it is kept and re-sent until the
   * server answers.
   */
  public Future<Ack> resolve(String path, ObjectNode form, String conflictId) {
    ObjectNode r = form.deepCopy();
    r.put("type", "resolve");
    r.put("batchId", batchPrefix + batchSeq.incrementAndGet());
    r.put("path", path);
    if (conflictId != null) {
      r.put("conflictId", conflictId);
    }
    return enqueue(r);
  }

  /** Sets this participant's presence (re-sent after every reconnect). */
  public void presence(ObjectNode state) {
    ctx.runOnContext(
        v -> {
          presence = JSON.createObjectNode().put("type", "presence");
          presence.set("state", state);
          if (welcomed) {
            ws.writeTextMessage(presence.toString());
          }
        });
  }

  /** Closes for good: no reconnect; writes not acked yet fail. */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(
        v -> {
          closed = true;
          vertx.cancelTimer(pingTimer);
          for (Pending p : pending.values()) {
            p.promise.tryFail(new Refused("closed", "the client was closed", null));
          }
          pending.clear();
          Future<Void> f =
              ws != null ? ws.close((short) 1000, "client closed") : Future.succeededFuture();
          f.onComplete(ar -> sockets.close().onComplete(x -> done.complete()));
        });
    return done.future();
  }

  // ---------------------------------------------------------------- connection

  private void open() {
    if (closed) {
      return;
    }
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setURI("/v1/sessions/" + options.session() + "/ws")
            .setAllowOriginHeader(false) // not a browser: the node's Origin allow-list is for those
            .addHeader("Authorization", "Bearer " + options.token().get());
    sockets
        .connect(o)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                attach(ar.result());
              } else if (ar.cause() instanceof UpgradeRejectedException u
                  && u.getStatus() < 500
                  && u.getStatus() != 429) {
                // a bad or foreign token does not get better by retrying
                closed = true;
                firstWelcome.tryFail(
                    new Refused(
                        "upgrade_refused", "HTTP " + u.getStatus() + " " + u.getBody(), null));
              } else {
                reconnectLater();
              }
            });
  }

  private void attach(WebSocket w) {
    if (closed) {
      w.close();
      return;
    }
    ws = w;
    w.textMessageHandler(this::onText);
    w.closeHandler(v -> onClosed(w));
    ObjectNode hello = JSON.createObjectNode();
    hello.put("type", "hello");
    hello.put("clientId", options.clientId());
    if (options.snapshots()) {
      hello.put("snapshots", true);
    }
    if (version != null) {
      hello.put("since", version);
    }
    w.writeTextMessage(hello.toString());
  }

  private void onClosed(WebSocket w) {
    if (w != ws) {
      return;
    }
    ws = null;
    welcomed = false;
    listener.onDisconnected();
    reconnectLater();
  }

  private void reconnectLater() {
    if (closed) {
      return;
    }
    long delay = retryAfterMs >= 0 ? Backoff.after(retryAfterMs) : Backoff.exponential(attempt);
    retryAfterMs = -1;
    attempt++;
    vertx.setTimer(Math.max(1, delay), t -> open());
  }

  private void ping() {
    if (!welcomed) {
      return;
    }
    if (pingSentAt > 0 && System.currentTimeMillis() - pingSentAt > PONG_TIMEOUT_MS) {
      ws.close((short) 1000, "no pong"); // a dead connection: reconnect
      return;
    }
    if (pingSentAt == 0) {
      pingSentAt = System.currentTimeMillis();
      ws.writeTextMessage("{\"type\":\"ping\"}");
    }
  }

  // ---------------------------------------------------------------- frames

  private void onText(String text) {
    JsonNode f;
    try {
      f = JSON.readTree(text);
    } catch (Exception e) {
      return;
    }
    switch (f.path("type").asText()) {
      case "welcome" -> onWelcome(f);
      case "ack" -> onAck(f);
      case "change" -> {
        adopt(f.path("version").asText(null), f.get("doc"));
        listener.onChange(f);
      }
      case "conflict.opened" -> {
        JsonNode c = f.get("conflict");
        updateConflicts(m -> m.put(c.path("id").asText(), c));
        listener.onConflictOpened(c);
      }
      case "conflict.resolved" -> {
        updateConflicts(m -> m.remove(f.path("conflict").path("id").asText()));
        listener.onConflictResolved(f);
      }
      case "presence" -> listener.onPresence(f);
      case "pong" -> pingSentAt = 0;
      case "error" -> onError(f);
      default -> {}
    }
  }

  private void onWelcome(JsonNode w) {
    welcomed = true;
    attempt = 0;
    pingSentAt = 0;
    version = w.path("version").asText();
    if (w.has("doc")) {
      doc = w.get("doc");
    }
    Map<String, JsonNode> open = new LinkedHashMap<>();
    w.path("conflicts").forEach(c -> open.put(c.path("id").asText(), c));
    conflicts = Collections.unmodifiableMap(open);
    if (presence != null) {
      ws.writeTextMessage(presence.toString());
    }
    // unacked batches again, in order, under their own ids: each is applied once
    for (Pending p : pending.values()) {
      ws.writeTextMessage(p.text);
    }
    listener.onWelcome(w);
    firstWelcome.tryComplete(w);
  }

  private void onAck(JsonNode a) {
    adopt(a.path("version").asText(null), a.get("doc"));
    Pending p = pending.remove(a.path("batchId").asText());
    if (p != null) {
      p.promise.tryComplete(Ack.of(a));
    }
  }

  private void onError(JsonNode e) {
    if (e.has("retryAfterMs") && e.path("fatal").asBoolean(false)) {
      retryAfterMs =
          e.path("retryAfterMs").asLong(); // shutting_down, slow_consumer: the close follows
    }
    Pending p = pending.get(e.path("batchId").asText(""));
    if (p == null) {
      return;
    }
    String code = e.path("code").asText();
    if (RETRYABLE.contains(code)) {
      retries.incrementAndGet();
      long delay =
          e.has("retryAfterMs")
              ? Backoff.after(e.path("retryAfterMs").asLong())
              : Backoff.exponential(p.attempts);
      p.attempts++;
      vertx.setTimer(
          Math.max(1, delay),
          t -> {
            if (pending.get(p.batchId) == p && welcomed) {
              ws.writeTextMessage(p.text);
            } // else: re-sent with the others after the next welcome
          });
      return;
    }
    pending.remove(p.batchId);
    p.promise.tryFail(Refused.of(e));
  }

  /** Moves the view forward, never back (a duplicate ack carries an older version). */
  private void adopt(String v, JsonNode d) {
    if (v == null || (version != null && !Versions.dominates(v, version))) {
      return;
    }
    version = v;
    if (d != null) {
      doc = d;
    }
  }

  private void updateConflicts(java.util.function.Consumer<Map<String, JsonNode>> change) {
    Map<String, JsonNode> m = new LinkedHashMap<>(conflicts);
    change.accept(m);
    conflicts = Collections.unmodifiableMap(m);
  }

  private Future<Ack> enqueue(ObjectNode frame) {
    return hop(
        () -> {
          Pending p = new Pending(frame.path("batchId").asText(), frame.toString());
          pending.put(p.batchId, p);
          if (welcomed) {
            ws.writeTextMessage(p.text);
          }
          return p.promise.future();
        });
  }

  private <T> Future<T> hop(Supplier<Future<T>> task) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> task.get().onComplete(p));
    return p.future();
  }
}
