package dev.chorus.client;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 *   <li>delivers changes, conflicts, presence and errors as {@link ChorusListener} callbacks.
 * </ul>
 *
 * <p>Writes are pipelined: {@link #submit} sends at once, however many batches are still waiting
 * for their acks ({@link #pending}); each {@link Ack} says how long its write took and how often it
 * was sent. {@link #goOffline}, {@link #goOnline} and {@link #moveTo} take the connection into the
 * owner's hands (an agent told to pause, a node known to be gone); {@link #flush} and {@link #sync}
 * wait until everything written was answered and everything sent was heard.
 *
 * <p>Everything runs on one Vert.x context ({@link #context}): callbacks and futures complete
 * there, public methods may be called from any thread and cost no thread hop when called from it.
 */
public final class ChorusClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
  private static final long PING_MS = 15_000;
  private static final long PONG_TIMEOUT_MS = 10_000;
  private static final Set<String> RETRYABLE = Set.of("rate_limited", "overloaded", "internal");

  /**
   * Where and as whom to connect, and how patiently.
   *
   * @param token called for every connection attempt (a fresh token after one expired)
   * @param snapshots whether change frames and acks carry the whole document ({@link #doc})
   * @param shape the shape a session that does not exist yet is created with (null: the node's
   *     default)
   * @param fullHistory whether the first welcome carries every change from the start ({@code since}
   *     = "") instead of a snapshot: for a client that keeps its own replica or audit trail
   * @param backoff how long to wait before reconnecting and re-sending
   * @param giveUpAfterMs a batch refused as retryable whose retry would come later than this after
   *     its submit fails with {@link Refused} {@code gave_up} (the server's refusal in {@link
   *     Refused#body}); 0: retry for as long as the client lives
   */
  public record Options(
      String host,
      int port,
      String session,
      String clientId,
      Supplier<String> token,
      boolean snapshots,
      String shape,
      boolean fullHistory,
      Backoff backoff,
      long giveUpAfterMs) {

    /** The default shape, a snapshot welcome, {@link Backoff#DEFAULT}, never giving up. */
    public Options(
        String host,
        int port,
        String session,
        String clientId,
        Supplier<String> token,
        boolean snapshots) {
      this(host, port, session, clientId, token, snapshots, null, false, Backoff.DEFAULT, 0);
    }

    public Options withShape(String s) {
      return new Options(
          host, port, session, clientId, token, snapshots, s, fullHistory, backoff, giveUpAfterMs);
    }

    public Options withFullHistory() {
      return new Options(
          host, port, session, clientId, token, snapshots, shape, true, backoff, giveUpAfterMs);
    }

    public Options withBackoff(Backoff b) {
      return new Options(
          host, port, session, clientId, token, snapshots, shape, fullHistory, b, giveUpAfterMs);
    }

    public Options givingUpAfter(long ms) {
      return new Options(
          host, port, session, clientId, token, snapshots, shape, fullHistory, backoff, ms);
    }
  }

  /** A batch sent (or to send) and not acked or refused yet. */
  private static final class Pending {
    final String batchId;
    final String text;
    final long firstSentNanos = System.nanoTime();
    final Promise<Ack> promise = Promise.promise();
    int refusals; // retryable refusals so far
    int sends;
    boolean written; // on the current connection: not again until it drops
    long retryTimer = -1;

    Pending(String batchId, String text) {
      this.batchId = batchId;
      this.text = text;
    }
  }

  /**
   * The frames parsed lately on this thread, shared by the clients on it ({@link SharedParses}).
   */
  private static final ThreadLocal<SharedParses> PARSED =
      ThreadLocal.withInitial(() -> new SharedParses(JSON));

  private final Vertx vertx;
  private final Context ctx;
  private final Options options;
  private final ChorusListener listener;
  // the listener reads no change's ops and changes: change frames are parsed without them
  private final boolean headsOnly;
  private final WebSocketClient sockets;
  private final boolean ownSockets;
  private final String batchPrefix;
  private final AtomicLong batchSeq = new AtomicLong();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final Map<String, Promise<Void>> syncs = new HashMap<>();
  private final Promise<JsonNode> firstWelcome = Promise.promise();
  private final AtomicLong retries = new AtomicLong();

  private String host;
  private int port;
  private WebSocket ws;
  private boolean started;
  private volatile boolean welcomed;
  private boolean closed;
  private boolean offline;
  private int attempt;
  private long retryAfterMs = -1;
  private long reconnectTimer = -1;
  private long pingTimer = -1;
  private long pingSentAt;
  private long syncSeq;
  private ObjectNode presence;
  private volatile int pendingCount;
  private volatile String version;
  private volatile JsonNode doc;
  private volatile Map<String, JsonNode> conflicts = Map.of();

  /** A client with a websocket client of its own. */
  public ChorusClient(Vertx vertx, Options options, ChorusListener listener) {
    this(
        vertx,
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxFrameSize(4 << 20).setMaxMessageSize(64 << 20)),
        true,
        options,
        listener);
  }

  /**
   * A client on a shared websocket client: a process running a fleet of agents keeps one pool (size
   * its {@code maxConnections}, and {@code maxMessageSize} for welcomes with long histories).
   * Closing this client leaves {@code sockets} open.
   */
  public ChorusClient(
      Vertx vertx, WebSocketClient sockets, Options options, ChorusListener listener) {
    this(vertx, sockets, false, options, listener);
  }

  private ChorusClient(
      Vertx vertx,
      WebSocketClient sockets,
      boolean ownSockets,
      Options options,
      ChorusListener listener) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.options = options;
    this.listener = listener == null ? new ChorusListener() {} : listener;
    this.headsOnly = !this.listener.wantsChangeBodies();
    this.sockets = sockets;
    this.ownSockets = ownSockets;
    this.host = options.host();
    this.port = options.port();
    this.batchPrefix =
        options.clientId() + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  /** Connects (and from now on reconnects); completes with the first welcome. */
  public Future<JsonNode> connect() {
    ctx.runOnContext(
        v -> {
          if (started || closed) {
            return;
          }
          started = true;
          open();
          pingTimer = vertx.setPeriodic(PING_MS, t -> ping());
        });
    return firstWelcome.future();
  }

  public Options options() {
    return options;
  }

  /** The context every callback runs on; code run there calls this client without a hop. */
  public Context context() {
    return ctx;
  }

  /** Whether the client is connected and welcomed now. Any thread (a moment's view). */
  public boolean live() {
    return welcomed;
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

  /** Batches written and neither acked nor refused yet: a window for pipelined writers. */
  public int pending() {
    return pendingCount;
  }

  /** Writes {@code ops} based on the last version seen. */
  public Future<Ack> submit(ArrayNode ops) {
    return submit(ops, null, false, null);
  }

  /**
   * Writes {@code ops} as decided on the view at {@code basedOn} (null: the last version seen);
   * with {@code strict}, nothing is applied if changes not included in it touched their paths
   * ({@link Refused} {@code precondition_failed}, with {@code unseen}).
   */
  public Future<Ack> submit(ArrayNode ops, String basedOn, boolean strict) {
    return submit(ops, basedOn, strict, null);
  }

  /**
   * As {@link #submit(ArrayNode, String, boolean)}, under batch id {@code batchId} (null: a fresh
   * one). The server applies one id once, ever: an agent that remembers its writes (id, ops,
   * basedOn) can re-submit them after its own restart without doubling them; an id reused for other
   * content is refused ({@code batch_id_reused}). Submitting an id still pending answers the
   * pending write's future.
   */
  public Future<Ack> submit(ArrayNode ops, String basedOn, boolean strict, String batchId) {
    return onContext(
        () -> {
          String id = batchId != null ? batchId : nextBatchId();
          String seen = version;
          String based = basedOn != null ? basedOn : seen == null ? "" : seen;
          return enqueue(id, () -> batchFrame(id, based, strict, ops));
        });
  }

  /**
   * A batch frame's text, written out here rather than built as a tree and printed: every write
   * pays for it, and a load generator's CPU is part of what its benchmarks measure.
   */
  private static String batchFrame(String id, String basedOn, boolean strict, ArrayNode ops) {
    StringBuilder b = new StringBuilder(96 + 64 * ops.size());
    b.append("{\"type\":\"batch\",\"batchId\":\"");
    QUOTE.quoteAsString(id, b);
    b.append("\",\"basedOn\":\"");
    QUOTE.quoteAsString(basedOn, b);
    b.append('"');
    if (strict) {
      b.append(",\"precondition\":\"unchanged\"");
    }
    return b.append(",\"ops\":").append(ops).append('}').toString();
  }

  /**
   * Resolves a conflict at {@code path} with {@code form}: {@code {"value": ...}}, {@code
   * {"delete": true}} or {@code {"keep": true}}. Like every write it is kept and re-sent until the
   * server answers.
   */
  public Future<Ack> resolve(String path, ObjectNode form, String conflictId) {
    return resolve(path, form, conflictId, null);
  }

  /** As {@link #resolve(String, ObjectNode, String)}, under batch id {@code batchId}. */
  public Future<Ack> resolve(String path, ObjectNode form, String conflictId, String batchId) {
    return onContext(
        () -> {
          ObjectNode r = form.deepCopy();
          r.put("type", "resolve");
          r.put("batchId", batchId != null ? batchId : nextBatchId());
          r.put("path", path);
          if (conflictId != null) {
            r.put("conflictId", conflictId);
          }
          return enqueue(r.path("batchId").asText(), r::toString);
        });
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

  /**
   * Completes with true once every write submitted so far was acked or refused, or with false after
   * {@code timeoutMs}: what an agent waits for before it exits.
   */
  public Future<Boolean> flush(long timeoutMs) {
    return onContext(
        () -> {
          List<Future<Ack>> open = new ArrayList<>();
          pending.values().forEach(p -> open.add(p.promise.future()));
          if (open.isEmpty()) {
            return Future.succeededFuture(true);
          }
          Promise<Boolean> done = Promise.promise();
          long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> done.tryComplete(false));
          Future.join(open)
              .onComplete(
                  ar -> {
                    vertx.cancelTimer(timer);
                    done.tryComplete(true);
                  });
          return done.future();
        });
  }

  /**
   * A round trip ({@code ping} with a nonce): completes when its {@code pong} arrived, so every
   * frame the server sent before it was delivered to the listener — e.g. the change a write made
   * through REST or another client. Fails if the client is not connected or the connection drops
   * first.
   */
  public Future<Void> sync() {
    return onContext(
        () -> {
          if (!welcomed) {
            return Future.failedFuture(new Refused("offline", "not connected", null));
          }
          String nonce = "sync-" + (++syncSeq);
          Promise<Void> p = Promise.promise();
          syncs.put(nonce, p);
          ws.writeTextMessage(
              JSON.createObjectNode().put("type", "ping").put("nonce", nonce).toString());
          return p.future();
        });
  }

  /**
   * Closes the connection and stays away until {@link #goOnline}; writes submitted meanwhile are
   * kept and sent after the resume, as after any reconnect.
   */
  public Future<Void> goOffline() {
    return onContext(
        () -> {
          offline = true;
          cancelReconnect();
          WebSocket w = ws;
          if (w == null) {
            return Future.succeededFuture();
          }
          detach(); // offline from now on, not when the close handshake is over
          return w.close((short) 1000, "offline");
        });
  }

  /** Connects again now (resuming with {@code since}) after {@link #goOffline}. */
  public void goOnline() {
    ctx.runOnContext(
        v -> {
          if (!offline) {
            return;
          }
          offline = false;
          attempt = 0;
          if (ws == null && started) {
            open();
          }
        });
  }

  /**
   * Connects to another node from now on — the one it was on is gone, or the owner balances load —
   * resuming there with {@code since} and re-sending what was not acked.
   */
  public void moveTo(String newHost, int newPort) {
    ctx.runOnContext(
        v -> {
          host = newHost;
          port = newPort;
          attempt = 0;
          retryAfterMs = 0; // the next attempt at once
          if (ws != null) {
            ws.close((short) 1000, "moving to " + newHost + ":" + newPort);
          } else if (reconnectTimer >= 0) {
            cancelReconnect();
            open();
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
          cancelReconnect();
          Refused why = new Refused("closed", "the client was closed", null);
          for (Pending p : pending.values()) {
            vertx.cancelTimer(p.retryTimer);
            p.promise.tryFail(why);
          }
          pending.clear();
          pendingCount = 0;
          failSyncs(why);
          firstWelcome.tryFail(why);
          Future<Void> f =
              ws != null ? ws.close((short) 1000, "client closed") : Future.succeededFuture();
          f.onComplete(
              ar -> {
                if (ownSockets) {
                  sockets.close().onComplete(x -> done.complete());
                } else {
                  done.complete();
                }
              });
        });
    return done.future();
  }

  // ---------------------------------------------------------------- connection

  private void open() {
    reconnectTimer = -1;
    if (closed || offline) {
      return;
    }
    String uri = "/v1/sessions/" + options.session() + "/ws";
    if (options.shape() != null) {
      uri += "?shape=" + URLEncoder.encode(options.shape(), StandardCharsets.UTF_8);
    }
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(host)
            .setPort(port)
            .setURI(uri)
            .setConnectTimeout(10_000)
            .setAllowOriginHeader(false) // not a browser: the node's Origin allow-list is for those
            .addHeader("Authorization", "Bearer " + options.token().get());
    sockets
        .connect(o)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                attach(ar.result());
                return;
              }
              listener.onConnectFailed(ar.cause());
              if (ar.cause() instanceof UpgradeRejectedException u
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
    if (closed || offline) {
      w.close();
      return;
    }
    ws = w;
    // Frames still arriving on a connection this client left (goOffline, moveTo) are not heard:
    // the resume on the next one brings them, and hearing both would deliver a change twice.
    w.textMessageHandler(
        text -> {
          if (w == ws) {
            onText(text);
          }
        });
    w.closeHandler(v -> onClosed(w));
    ObjectNode hello = JSON.createObjectNode();
    hello.put("type", "hello");
    hello.put("clientId", options.clientId());
    if (options.snapshots()) {
      hello.put("snapshots", true);
    }
    if (version != null) {
      hello.put("since", version);
    } else if (options.fullHistory()) {
      hello.put("since", "");
    }
    w.writeTextMessage(hello.toString());
  }

  private void onClosed(WebSocket w) {
    if (w != ws) {
      return; // one this client left already (goOffline)
    }
    detach();
    reconnectLater();
  }

  /** Forgets the connection: what was written on it is in doubt, re-sent after the next welcome. */
  private void detach() {
    ws = null;
    welcomed = false;
    for (Pending p : pending.values()) {
      p.written = false;
    }
    failSyncs(new Refused("disconnected", "the connection dropped", null));
    listener.onDisconnected();
  }

  private void reconnectLater() {
    if (closed || offline || reconnectTimer >= 0) {
      return;
    }
    Backoff b = options.backoff();
    long delay = retryAfterMs >= 0 ? b.after(retryAfterMs) : b.exponential(attempt);
    retryAfterMs = -1;
    attempt++;
    reconnectTimer = vertx.setTimer(Math.max(1, delay), t -> open());
  }

  private void cancelReconnect() {
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
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

  private void failSyncs(Throwable why) {
    List<Promise<Void>> waiting = new ArrayList<>(syncs.values());
    syncs.clear();
    waiting.forEach(p -> p.tryFail(why));
  }

  // ---------------------------------------------------------------- frames

  private void onText(String text) {
    JsonNode f;
    try {
      String head = headsOnly ? ChangeHead.of(text) : null;
      f = PARSED.get().parse(head != null ? head : text);
    } catch (Exception e) {
      listener.onUnexpected("a frame that is not JSON", text);
      return;
    }
    switch (f.path("type").asText()) {
      case "welcome" -> onWelcome(f);
      case "ack" -> onAck(f, text);
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
      case "pong" -> {
        pingSentAt = 0;
        Promise<Void> s = syncs.remove(f.path("nonce").asText(""));
        if (s != null) {
          s.tryComplete();
        }
      }
      case "error" -> onError(f, text);
      default -> listener.onUnexpected("a frame of unknown type", text);
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
    // unacked batches again, in order, under their own ids: each is applied once. One waiting
    // for its retry delay goes when the delay is over.
    for (Pending p : pending.values()) {
      if (!p.written && p.retryTimer < 0) {
        write(p);
      }
    }
    listener.onWelcome(w);
    firstWelcome.tryComplete(w);
  }

  private void onAck(JsonNode a, String text) {
    adopt(a.path("version").asText(null), a.get("doc"));
    Pending p = pending.remove(a.path("batchId").asText());
    if (p == null) {
      listener.onUnexpected("an ack of no batch pending", text);
      return;
    }
    pendingCount = pending.size();
    vertx.cancelTimer(p.retryTimer);
    p.promise.tryComplete(
        new Ack(
            p.batchId,
            a.path("version").asText(),
            a.path("results"),
            a.path("duplicate").asBoolean(false),
            p.sends,
            System.nanoTime() - p.firstSentNanos));
  }

  private void onError(JsonNode e, String text) {
    listener.onError(e);
    if (e.path("fatal").asBoolean(false)) {
      // shutting_down, slow_consumer: the close follows; come back after the server's hint
      if (e.has("retryAfterMs")) {
        retryAfterMs = e.path("retryAfterMs").asLong();
      }
      return;
    }
    if (!e.hasNonNull("batchId")) {
      return; // about a frame that was not a write (presence, ping): nothing to settle
    }
    Pending p = pending.get(e.path("batchId").asText());
    if (p == null) {
      listener.onUnexpected("an error naming no batch pending", text);
      return;
    }
    String code = e.path("code").asText();
    if (RETRYABLE.contains(code)) {
      long delay =
          e.has("retryAfterMs")
              ? options.backoff().after(e.path("retryAfterMs").asLong())
              : options.backoff().exponential(p.refusals);
      long ageMs = (System.nanoTime() - p.firstSentNanos) / 1_000_000;
      if (options.giveUpAfterMs() > 0 && ageMs + delay > options.giveUpAfterMs()) {
        // the retry would land past the owner's budget: tell it now rather than then
        pending.remove(p.batchId);
        pendingCount = pending.size();
        p.promise.tryFail(new Refused("gave_up", "still " + code + " after " + ageMs + " ms", e));
        return;
      }
      retries.incrementAndGet();
      p.refusals++;
      p.written = false;
      p.retryTimer =
          vertx.setTimer(
              Math.max(1, delay),
              t -> {
                p.retryTimer = -1;
                if (pending.get(p.batchId) == p && welcomed) {
                  write(p);
                } // else: re-sent with the others after the next welcome
              });
      return;
    }
    pending.remove(p.batchId);
    pendingCount = pending.size();
    p.promise.tryFail(Refused.of(e));
  }

  /** Moves the view forward, never back (a duplicate ack carries an older version). */
  private void adopt(String v, JsonNode d) {
    if (v == null || v.equals(version)) {
      return;
    }
    if (version != null && !Versions.dominates(v, version)) {
      return;
    }
    version = v;
    if (d != null) {
      doc = d;
    }
  }

  private void updateConflicts(Consumer<Map<String, JsonNode>> change) {
    Map<String, JsonNode> m = new LinkedHashMap<>(conflicts);
    change.accept(m);
    conflicts = Collections.unmodifiableMap(m);
  }

  private String nextBatchId() {
    return batchPrefix + batchSeq.incrementAndGet();
  }

  private Future<Ack> enqueue(String id, Supplier<String> frame) {
    Pending known = pending.get(id);
    if (known != null) {
      return known.promise.future();
    }
    if (closed) {
      return Future.failedFuture(new Refused("closed", "the client was closed", null));
    }
    Pending p = new Pending(id, frame.get());
    pending.put(id, p);
    pendingCount = pending.size();
    if (welcomed) {
      write(p);
    }
    return p.promise.future();
  }

  private void write(Pending p) {
    p.sends++;
    p.written = true;
    ws.writeTextMessage(p.text);
  }

  /** Runs {@code task} on the client's context: at once when already there, else after a hop. */
  private <T> Future<T> onContext(Supplier<Future<T>> task) {
    if (Vertx.currentContext() == ctx) {
      return task.get();
    }
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> task.get().onComplete(p));
    return p.future();
  }
}
