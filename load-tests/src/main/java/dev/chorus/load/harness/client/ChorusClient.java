package dev.chorus.load.harness.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.load.harness.metrics.LoadStats;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated participant speaking wire protocol v1 over a websocket (docs/protocol.md): {@code
 * hello}/{@code welcome} (with {@code since} to resume), {@code batch} → {@code ack}, {@code
 * change} and {@code conflict.*} frames from others, {@code error}s.
 *
 * <p>Robust the way a real agent must be: a batch refused with {@code rate_limited}, {@code
 * overloaded} or {@code internal} is re-sent with the same {@code batchId} after the server's
 * {@code retryAfterMs} plus jittered exponential backoff; a lost connection is resumed with {@code
 * since} = the last version seen, and every batch not acked yet is re-sent with its original id
 * (the server applies it once). Every batch id it sent, every ack and every change it was delivered
 * is kept for the verifier.
 *
 * <p>All state lives on one Vert.x context (one event loop); public methods hop there, so no locks.
 * Batch ids embed the first send time ({@code <clientId>.<n>.<nanoTime>}) so any receiver in the
 * same JVM can measure delivery latency.
 */
public final class ChorusClient {
  /** What a client is: where it connects, as whom, and how it behaves. */
  public record Spec(
      String host,
      int port,
      String session,
      String shape,
      String clientId,
      String actorId,
      String actorKind,
      String token,
      boolean keepReplica,
      boolean fromEmpty,
      Backoff backoff,
      int maxAttempts,
      long retryBudgetMs) {}

  /** A batch sent and not acked or refused yet. */
  private static final class Outstanding {
    final String batchId;
    final String text;
    final int ops;
    final String basedOn;
    final long firstSentNanos;
    final Promise<Ack> promise;
    int attempts;
    long retryTimer = -1;
    boolean written;

    Outstanding(String batchId, String text, int ops, String basedOn, Promise<Ack> promise) {
      this.batchId = batchId;
      this.text = text;
      this.ops = ops;
      this.basedOn = basedOn;
      this.firstSentNanos = System.nanoTime();
      this.promise = promise;
    }
  }

  private final Vertx vertx;
  private final Context ctx;
  private final WebSocketClient wsClient;
  private final Spec spec;
  private final LoadStats stats;
  private final ClientHooks hooks;
  private final Replica replica;

  private WebSocket ws;
  private boolean connected;
  private boolean closing;
  private boolean welcomed;
  private long nextBatch;
  private int reconnectAttempt;
  private long reconnectTimer = -1;
  private long pendingRetryAfterMs;
  private Promise<JsonNode> welcomePromise;
  private long firstAttemptNanos;
  private boolean everWelcomed;
  private VersionVector lastVersion;
  private String joinVersion;
  private final LinkedHashMap<String, Outstanding> outstanding = new LinkedHashMap<>();
  private final Map<String, Ack> acked = new LinkedHashMap<>();
  private final Set<String> sent = new HashSet<>();
  private final Map<String, String> rejected = new LinkedHashMap<>();
  private final Map<String, JsonNode> openConflicts = new TreeMap<>();
  private final Set<String> everOpened = new HashSet<>();
  private final List<String> problems = new ArrayList<>();
  private long conflictOpenedFrames;
  private long conflictResolvedFrames;
  private final AtomicBoolean live = new AtomicBoolean();

  public ChorusClient(
      Vertx vertx, WebSocketClient wsClient, Spec spec, LoadStats stats, ClientHooks hooks) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.wsClient = wsClient;
    this.spec = spec;
    this.stats = stats;
    this.hooks = hooks == null ? ClientHooks.NONE : hooks;
    this.replica = new Replica(spec.keepReplica());
  }

  public Spec spec() {
    return spec;
  }

  public String clientId() {
    return spec.clientId();
  }

  public Context context() {
    return ctx;
  }

  /** Whether the websocket is open and welcomed now (any thread). */
  public boolean live() {
    return live.get();
  }

  /** The last version seen, {@code ""} before the welcome. On the client's context. */
  public String lastVersion() {
    return lastVersion == null ? "" : lastVersion.toString();
  }

  /** Batches sent and neither acked nor refused yet. On the client's context. */
  public int outstandingCount() {
    return outstanding.size();
  }

  /** The open conflicts this client was told of, id → conflict. On the client's context. */
  public Map<String, JsonNode> openConflicts() {
    return Collections.unmodifiableMap(openConflicts);
  }

  // ------------------------------------------------------------------ connecting

  /**
   * Connects and joins; completes with the welcome (retries with backoff on failure). The time from
   * the first attempt to the first welcome, retries included, is recorded as latency {@code join}.
   */
  public Future<JsonNode> connect() {
    Promise<JsonNode> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          welcomePromise = p;
          if (firstAttemptNanos == 0) {
            firstAttemptNanos = System.nanoTime();
          }
          open();
        });
    return p.future();
  }

  private void open() {
    if (closing) {
      return;
    }
    String uri =
        "/v1/sessions/"
            + spec.session()
            + "/ws"
            + (spec.shape() == null
                ? ""
                : "?shape=" + URLEncoder.encode(spec.shape(), StandardCharsets.UTF_8));
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(spec.host())
            .setPort(spec.port())
            .setURI(uri)
            .setConnectTimeout(10_000)
            .setTimeout(30_000)
            .addHeader("Authorization", "Bearer " + spec.token());
    long t0 = System.nanoTime();
    wsClient
        .connect(o)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                stats.connectFailures.increment();
                stats.error("connect_failed");
                if (ar.cause() instanceof UpgradeRejectedException u && u.getStatus() >= 500) {
                  // e.g. 503 overloaded (admission control): counted, and retried like any failure
                  stats.http5xx.increment();
                  stats.error("http_" + u.getStatus());
                }
                scheduleReconnect(0);
                return;
              }
              stats.latency("connect", System.nanoTime() - t0);
              attach(ar.result());
            });
  }

  private void attach(WebSocket w) {
    if (closing) {
      w.close();
      return;
    }
    ws = w;
    connected = true;
    stats.connects.increment();
    w.textMessageHandler(this::onText);
    w.exceptionHandler(t -> stats.error("ws_exception"));
    w.closeHandler(v -> onClosed(w));
    ObjectNode hello = Json.obj().put("type", "hello").put("clientId", spec.clientId());
    if (lastVersion != null) {
      hello.put("since", lastVersion.toString());
    } else if (spec.fromEmpty()) {
      hello.put("since", "");
    }
    w.writeTextMessage(hello.toString());
  }

  private void onClosed(WebSocket w) {
    if (w != ws) {
      return;
    }
    connected = false;
    welcomed = false;
    live.set(false);
    ws = null;
    for (Outstanding o : outstanding.values()) {
      // what was written on this connection is in doubt: re-sent on the next welcome
      o.written = false;
    }
    if (!closing) {
      long hint = pendingRetryAfterMs;
      pendingRetryAfterMs = 0;
      scheduleReconnect(hint);
    }
  }

  private void scheduleReconnect(long retryAfterMs) {
    if (closing || reconnectTimer >= 0) {
      return;
    }
    long delay = spec.backoff().delayMs(reconnectAttempt++, retryAfterMs);
    reconnectTimer =
        vertx.setTimer(
            Math.max(1, delay),
            t -> {
              reconnectTimer = -1;
              stats.reconnects.increment();
              open();
            });
  }

  // ------------------------------------------------------------------ frames

  /**
   * The frames parsed lately on this thread, by text. The server broadcasts one frame to every
   * client of a session; the clients of one JVM share the parse (the tree is read only), so a
   * simulated fleet does not spend the machine's cores parsing the same text a hundred times.
   */
  private static final ThreadLocal<Map<String, JsonNode>> PARSED =
      ThreadLocal.withInitial(
          () ->
              new LinkedHashMap<>(64, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, JsonNode> e) {
                  return size() > 64;
                }
              });

  private static JsonNode parseShared(String text) {
    Map<String, JsonNode> cache = PARSED.get();
    JsonNode f = cache.get(text);
    if (f == null) {
      f = Json.parse(text);
      cache.put(text, f);
    }
    return f;
  }

  private void onText(String text) {
    JsonNode f;
    try {
      f = parseShared(text);
    } catch (RuntimeException e) {
      problem("unparseable frame: " + text);
      return;
    }
    switch (f.path("type").asText()) {
      case "welcome" -> onWelcome(f);
      case "ack" -> onAck(f);
      case "change" -> onChange(f);
      case "conflict.opened", "conflict.resolved" -> onConflict(f);
      case "error" -> onError(f);
      case "pong", "presence" -> {}
      default -> problem("unknown frame type " + f.path("type").asText());
    }
  }

  private void onWelcome(JsonNode w) {
    boolean resumed = w.path("resumed").asBoolean(false);
    boolean asked = lastVersion != null || spec.fromEmpty();
    if (resumed) {
      stats.resumed.increment();
      replica.deliver(changesOf(w.get("changes")), true);
      if (lastVersion == null) {
        replica.startedFromEmpty();
      }
    } else if (asked) {
      replica.gap("welcome without changes (since " + lastVersion + " not retained)");
    } else {
      replica.gap("joined from a document snapshot");
    }
    if (joinVersion == null) {
      joinVersion = resumed && lastVersion == null ? "" : w.path("version").asText();
    }
    advance(w.path("version").asText());
    openConflicts.clear();
    for (JsonNode c : w.path("conflicts")) {
      openConflicts.put(c.path("id").asText(), c);
      everOpened.add(c.path("id").asText());
    }
    welcomed = true;
    live.set(true);
    reconnectAttempt = 0;
    if (!everWelcomed) {
      everWelcomed = true;
      stats.joined.increment();
      if (firstAttemptNanos != 0) {
        stats.latency("join", System.nanoTime() - firstAttemptNanos);
      }
    }
    hooks.welcome(this, w);
    for (Outstanding o : new ArrayList<>(outstanding.values())) {
      if (!o.written && o.retryTimer < 0) {
        write(o);
      }
    }
    if (welcomePromise != null) {
      Promise<JsonNode> p = welcomePromise;
      welcomePromise = null;
      p.tryComplete(w);
    }
  }

  /** The codec changes inside a welcome's {@code changes} (each a change body with changes). */
  private static ArrayNode changesOf(JsonNode bodies) {
    ArrayNode all = Json.arr();
    if (bodies != null) {
      for (JsonNode b : bodies) {
        for (JsonNode c : b.path("changes")) {
          all.add(c);
        }
      }
    }
    return all;
  }

  private void onAck(JsonNode a) {
    String id = a.path("batchId").asText();
    Outstanding o = outstanding.remove(id);
    if (o == null) {
      if (!acked.containsKey(id)) {
        problem("ack for a batch not outstanding: " + id);
      }
      return;
    }
    if (o.retryTimer >= 0) {
      vertx.cancelTimer(o.retryTimer);
    }
    long latency = System.nanoTime() - o.firstSentNanos;
    boolean dup = a.path("duplicate").asBoolean(false);
    Ack ack =
        new Ack(
            id,
            a.path("version").asText(),
            a.get("results"),
            dup,
            o.ops,
            o.basedOn,
            o.attempts,
            latency);
    acked.put(id, ack);
    advance(ack.version());
    stats.batchesAcked.increment();
    stats.opsAcked.add(o.ops);
    stats.ackLatency(latency);
    if (dup) {
      stats.duplicateAcks.increment();
    }
    o.promise.tryComplete(ack);
  }

  private void onChange(JsonNode c) {
    replica.deliver(c.get("changes"), false);
    advance(c.path("version").asText());
    long sentAt = sentNanos(c.path("batchId").asText());
    if (sentAt != 0) {
      stats.deliveryLatency(System.nanoTime() - sentAt);
    }
    hooks.change(this, c);
  }

  private void onConflict(JsonNode f) {
    stats.conflictEvents.increment();
    JsonNode c = f.path("conflict");
    String id = c.path("id").asText();
    if (f.path("type").asText().equals("conflict.opened")) {
      conflictOpenedFrames++;
      openConflicts.put(id, c);
      everOpened.add(id);
    } else {
      conflictResolvedFrames++;
      openConflicts.remove(id);
    }
    hooks.conflict(this, f);
  }

  private void onError(JsonNode e) {
    String code = e.path("code").asText();
    stats.error(code);
    String batchId = e.hasNonNull("batchId") ? e.get("batchId").asText() : null;
    long retryAfter = e.path("retryAfterMs").asLong(0);
    if (e.path("fatal").asBoolean(false)) {
      // shutting_down / slow_consumer: the server closes; come back after its hint
      pendingRetryAfterMs = retryAfter;
      return;
    }
    Outstanding o = batchId == null ? null : outstanding.get(batchId);
    if (o == null) {
      if (batchId != null || !code.equals("hello_required")) {
        problem("error without an outstanding batch: " + e);
      }
      return;
    }
    switch (code) {
      case "rate_limited", "overloaded", "internal" -> retry(o, retryAfter);
      default -> {
        outstanding.remove(batchId);
        rejected.put(batchId, code);
        stats.rejected.increment();
        o.promise.tryFail(new Rejected(code, batchId, e.path("message").asText()));
      }
    }
  }

  private void retry(Outstanding o, long retryAfterMs) {
    o.written = false;
    long elapsedMs = (System.nanoTime() - o.firstSentNanos) / 1_000_000;
    if (o.attempts >= spec.maxAttempts() || elapsedMs > spec.retryBudgetMs()) {
      outstanding.remove(o.batchId);
      rejected.put(o.batchId, "gave_up");
      stats.error("gave_up");
      o.promise.tryFail(
          new Rejected("gave_up", o.batchId, "after " + o.attempts + " attempts, " + elapsedMs));
      return;
    }
    stats.retries.increment();
    long delay = spec.backoff().delayMs(o.attempts - 1, retryAfterMs);
    o.retryTimer =
        vertx.setTimer(
            Math.max(1, delay),
            t -> {
              o.retryTimer = -1;
              if (outstanding.get(o.batchId) == o && welcomed) {
                write(o);
              }
            });
  }

  private void advance(String version) {
    if (version == null || version.isEmpty() && lastVersion != null) {
      return;
    }
    VersionVector v = VersionVector.parse(version);
    lastVersion = lastVersion == null ? v : lastVersion.merge(v);
  }

  private void problem(String what) {
    if (problems.size() < 20) {
      problems.add(what);
    }
    stats.error("client_problem");
  }

  // ------------------------------------------------------------------ writing

  /**
   * Sends a batch based on the last version this client saw; completes with its ack, or fails with
   * {@link Rejected}.
   */
  public Future<Ack> submit(ArrayNode ops) {
    return submit(ops, null, false);
  }

  /**
   * Sends a batch. {@code basedOn} null = the last version seen (a fresh view); a stale version
   * makes a write on an old view. {@code strict} adds {@code precondition: "unchanged"}.
   */
  public Future<Ack> submit(ArrayNode ops, String basedOn, boolean strict) {
    Promise<Ack> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          String based =
              basedOn != null ? basedOn : lastVersion == null ? "" : lastVersion.toString();
          ObjectNode f = Json.obj().put("type", "batch");
          String id = newBatchId();
          f.put("batchId", id);
          f.put("basedOn", based);
          if (strict) {
            f.put("precondition", "unchanged");
          }
          f.set("ops", ops);
          enqueue(new Outstanding(id, f.toString(), ops.size(), based, p));
        });
    return p.future();
  }

  /** Sends a {@code resolve} (a write that saw every value of the conflict at {@code path}). */
  public Future<Ack> resolve(String path, JsonNode value) {
    Promise<Ack> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          String id = newBatchId();
          ObjectNode f = Json.obj().put("type", "resolve").put("batchId", id).put("path", path);
          f.set("value", value);
          enqueue(new Outstanding(id, f.toString(), 1, null, p));
        });
    return p.future();
  }

  private String newBatchId() {
    return spec.clientId() + "." + (++nextBatch) + ".t" + System.nanoTime();
  }

  /** The first-send time embedded in a harness batch id (0 if it is not one). */
  public static long sentNanos(String batchId) {
    int t = batchId.lastIndexOf(".t");
    if (t < 0) {
      return 0;
    }
    try {
      return Long.parseLong(batchId.substring(t + 2));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void enqueue(Outstanding o) {
    outstanding.put(o.batchId, o);
    sent.add(o.batchId);
    stats.batchesSent.increment();
    if (welcomed) {
      write(o);
    }
  }

  private void write(Outstanding o) {
    if (ws == null || !welcomed) {
      return;
    }
    o.attempts++;
    o.written = true;
    ws.writeTextMessage(o.text);
  }

  // ------------------------------------------------------------------ faults and stopping

  /**
   * Drops the connection the way a crashing agent or a network blip does (close without waiting for
   * anything in flight); the client resumes with {@code since} after {@code downMs} (plus backoff
   * jitter) and re-sends what was not acked.
   */
  public void drop(long downMs) {
    ctx.runOnContext(
        v -> {
          WebSocket w = ws;
          if (w == null || closing) {
            return;
          }
          pendingRetryAfterMs = Math.max(1, downMs);
          w.close();
        });
  }

  /** Completes once nothing is outstanding, or after {@code timeoutMs} (false then). */
  public Future<Boolean> drain(long timeoutMs) {
    Promise<Boolean> p = Promise.promise();
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    ctx.runOnContext(v -> pollDrained(p, deadline));
    return p.future();
  }

  private void pollDrained(Promise<Boolean> p, long deadline) {
    if (outstanding.isEmpty() && (welcomed || closing)) {
      p.complete(true);
    } else if (System.nanoTime() > deadline) {
      p.complete(false);
    } else {
      vertx.setTimer(20, t -> pollDrained(p, deadline));
    }
  }

  /** Sends a ping and completes on any frame after it (so everything before it was received). */
  public Future<Void> sync(long timeoutMs) {
    Promise<Void> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          if (ws == null) {
            p.complete();
            return;
          }
          String nonce = "sync-" + System.nanoTime();
          WebSocket w = ws;
          long timer = vertx.setTimer(timeoutMs, t -> p.tryComplete());
          w.textMessageHandler(
              text -> {
                onText(text);
                if (text.contains(nonce)) {
                  vertx.cancelTimer(timer);
                  w.textMessageHandler(this::onText);
                  p.tryComplete();
                }
              });
          w.writeTextMessage(Json.obj().put("type", "ping").put("nonce", nonce).toString());
        });
    return p.future();
  }

  /** Closes for good (no reconnect). Outstanding batches stay outstanding (in doubt). */
  public Future<Void> close() {
    Promise<Void> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          closing = true;
          live.set(false);
          if (reconnectTimer >= 0) {
            vertx.cancelTimer(reconnectTimer);
          }
          for (Outstanding o : outstanding.values()) {
            if (o.retryTimer >= 0) {
              vertx.cancelTimer(o.retryTimer);
            }
          }
          if (welcomePromise != null) {
            welcomePromise.tryFail("closed before welcome");
          }
          if (ws != null) {
            ws.close().onComplete(ar -> p.tryComplete());
            vertx.setTimer(2000, t -> p.tryComplete());
          } else {
            p.complete();
          }
        });
    return p.future();
  }

  // ------------------------------------------------------------------ for the verifier

  /** A consistent copy of what this client knows; call on any thread after it stopped. */
  public Future<View> view() {
    Promise<View> p = Promise.promise();
    ctx.runOnContext(
        v ->
            p.complete(
                new View(
                    spec,
                    lastVersion == null ? "" : lastVersion.toString(),
                    joinVersion,
                    new LinkedHashMap<>(acked),
                    Set.copyOf(sent),
                    Set.copyOf(outstanding.keySet()),
                    new LinkedHashMap<>(rejected),
                    Collections.unmodifiableSet(new TreeMap<>(openConflicts).keySet()),
                    Set.copyOf(everOpened),
                    conflictOpenedFrames,
                    conflictResolvedFrames,
                    replica,
                    List.copyOf(problems))));
    return p.future();
  }

  /** What one client sent, got acked, was delivered and saw, at the end of a run. */
  public record View(
      Spec spec,
      String lastVersion,
      String joinVersion,
      Map<String, Ack> acked,
      Set<String> sent,
      Set<String> inDoubt,
      Map<String, String> rejected,
      Set<String> openConflicts,
      Set<String> everOpened,
      long conflictOpenedFrames,
      long conflictResolvedFrames,
      Replica replica,
      List<String> problems) {}
}
