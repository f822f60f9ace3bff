package dev.chorus.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo agent of one session: an actor of kind {@code agent} that works on the board through the
 * public websocket protocol, with its own token, exactly as an external agent would (it shares
 * nothing with the server but the port). It keeps the last view it was sent ({@code snapshots:
 * true}), asks {@link AgentBrain} what to do, "thinks" for a while and then writes a batch whose
 * {@code basedOn} is the version it decided on — so when a person changed the same field in the
 * meantime, the server keeps both values as a conflict instead of letting the agent overwrite it.
 *
 * <p>It narrates what it does in its presence state ({@code activity} and the last entries of
 * {@code log}), which the board shows in its activity feed. Everything runs on one Vert.x context.
 */
final class DemoAgent {
  private static final Logger LOG = LoggerFactory.getLogger(DemoAgent.class);
  private static final ObjectMapper M = new ObjectMapper();
  private static final int LOG_SIZE = 8;

  private final Vertx vertx;
  private final Context ctx;
  private final String session;
  private final String actorId;
  private final String host;
  private final int port;
  private final Supplier<String> token;
  private final long thinkMs;
  private final long tickMs;
  private final AgentBrain brain;
  private final AgentBrain.Memory memory = new AgentBrain.Memory();
  private final Random random = new Random();
  private final Deque<ObjectNode> log = new ArrayDeque<>();
  private final Map<String, JsonNode> conflicts = new LinkedHashMap<>();
  private final String batchPrefix;

  private WebSocketClient client;
  private WebSocket ws;
  private JsonNode doc;
  private String version;
  private boolean stopped;
  private boolean busy;
  private int attempt;
  private long batchSeq;
  private long tickTimer = -1;
  private long presenceTimer = -1;
  private long pendingTimer = -1;
  private String activity = "getting my bearings";
  private ObjectNode focus;
  private ObjectNode inFlight; // the batch sent and not yet acked
  private String inFlightNarration;

  DemoAgent(
      Vertx vertx,
      String session,
      String actorId,
      String host,
      int port,
      Supplier<String> token,
      long thinkMs,
      long tickMs) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.session = session;
    this.actorId = actorId;
    this.host = host;
    this.port = port;
    this.token = token;
    this.thinkMs = thinkMs;
    this.tickMs = tickMs;
    this.brain = new AgentBrain(actorId);
    this.batchPrefix = actorId + "-" + Long.toString(System.nanoTime() & 0xffffff, 36);
  }

  String actorId() {
    return actorId;
  }

  long thinkMs() {
    return thinkMs;
  }

  void start() {
    ctx.runOnContext(
        v -> {
          client =
              vertx.createWebSocketClient(
                  new WebSocketClientOptions()
                      .setMaxFrameSize(4 << 20)
                      .setMaxMessageSize(16 << 20));
          say("Hi! I'm " + actorId + ", a demo agent. I triage new cards, plan and do work.");
          connect();
          tickTimer = vertx.setPeriodic(tickMs, t -> tick());
          presenceTimer = vertx.setPeriodic(10_000, t -> sendPresence());
        });
  }

  void stop() {
    ctx.runOnContext(
        v -> {
          stopped = true;
          vertx.cancelTimer(tickTimer);
          vertx.cancelTimer(presenceTimer);
          vertx.cancelTimer(pendingTimer);
          if (ws != null) {
            ws.close((short) 1000, "agent stopped");
            ws = null;
          }
          if (client != null) {
            client.close();
          }
        });
  }

  /** Recent narration, newest last (for the REST status). */
  synchronized ArrayNode logJson() {
    ArrayNode a = M.createArrayNode();
    log.forEach(a::add);
    return a;
  }

  // ---------------------------------------------------------------- connection

  private void connect() {
    if (stopped) {
      return;
    }
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(host)
            .setPort(port)
            .setURI("/v1/sessions/" + session + "/ws")
            .addHeader("Authorization", "Bearer " + token.get());
    client
        .connect(o)
        .onSuccess(this::connected)
        .onFailure(
            t -> {
              LOG.debug("demo agent {}: connect failed: {}", session, t.toString());
              reconnectLater(null);
            });
  }

  private void connected(WebSocket w) {
    if (stopped) {
      w.close();
      return;
    }
    ws = w;
    w.textMessageHandler(this::onText);
    w.closeHandler(
        v -> {
          if (ws == w) {
            ws = null;
            busy = false; // the batch in flight is re-sent after the welcome
            reconnectLater(null);
          }
        });
    ObjectNode hello = M.createObjectNode();
    hello.put("type", "hello");
    hello.put("clientId", "demo-agent");
    hello.put("snapshots", true);
    if (version != null) {
      hello.put("since", version);
    }
    w.writeTextMessage(hello.toString());
  }

  private void reconnectLater(Long suggested) {
    if (stopped) {
      return;
    }
    long delay =
        suggested != null
            ? suggested
            : 250 + (long) (random.nextDouble() * Math.min(15_000, 500L << Math.min(attempt, 5)));
    attempt++;
    vertx.setTimer(delay, t -> connect());
  }

  private void send(ObjectNode frame) {
    if (ws != null) {
      ws.writeTextMessage(frame.toString());
    }
  }

  // ---------------------------------------------------------------- frames

  private void onText(String text) {
    JsonNode f;
    try {
      f = M.readTree(text);
    } catch (Exception e) {
      return;
    }
    switch (f.path("type").asText()) {
      case "welcome" -> {
        attempt = 0;
        doc = f.get("doc");
        version = f.path("version").asText();
        conflicts.clear();
        f.path("conflicts").forEach(c -> conflicts.put(c.path("id").asText(), c));
        sendPresence();
        if (inFlight != null) {
          busy = true;
          send(inFlight); // same batchId: applied once even if it made it before the drop
        }
      }
      case "change" -> adopt(f);
      case "ack" -> {
        adopt(f);
        if (inFlight != null
            && inFlight.path("batchId").asText().equals(f.path("batchId").asText())) {
          String said = inFlightNarration;
          inFlight = null;
          busy = false;
          focus = null;
          activity = "looking for work";
          if (said != null) {
            say(said);
          } else {
            sendPresence();
          }
        }
      }
      case "conflict.opened" -> {
        JsonNode c = f.get("conflict");
        conflicts.put(c.path("id").asText(), c);
        onConflictOpened(c);
      }
      case "conflict.resolved" -> {
        JsonNode c = f.get("conflict");
        conflicts.remove(c.path("id").asText());
        if (involvesMe(c) && !actorId.equals(f.path("by").path("id").asText())) {
          say(
              f.path("by").path("id").asText("someone")
                  + " settled the conflict on "
                  + what(c)
                  + ". Fine by me.");
        }
      }
      case "error" -> onError(f);
      default -> {}
    }
  }

  private void adopt(JsonNode f) {
    if (f.has("doc") && f.has("version")) {
      doc = f.get("doc");
      version = f.get("version").asText();
    }
  }

  private void onError(JsonNode e) {
    String code = e.path("code").asText();
    if (code.equals("shutting_down")) {
      return; // the close follows; reconnect then
    }
    String batchId = e.path("batchId").asText(null);
    if (inFlight == null || batchId == null || !batchId.equals(inFlight.path("batchId").asText())) {
      return;
    }
    if (code.equals("rate_limited") || code.equals("overloaded") || code.equals("internal")) {
      long wait = e.path("retryAfterMs").asLong(500);
      ObjectNode again = inFlight;
      pendingTimer = vertx.setTimer(Math.max(50, wait), t -> send(again));
      return;
    }
    String what = inFlightNarration;
    inFlight = null;
    busy = false;
    focus = null;
    if (code.equals("path_not_found")) {
      say("Someone moved or deleted what I was working on; I'll look again.");
    } else {
      say(
          "The server refused my edit ("
              + code
              + "): "
              + e.path("message").asText()
              + " — "
              + what);
    }
  }

  private boolean involvesMe(JsonNode c) {
    for (JsonNode i : c.path("intents")) {
      if (actorId.equals(i.path("author").path("id").asText())) {
        return true;
      }
    }
    return false;
  }

  private void onConflictOpened(JsonNode c) {
    if (!involvesMe(c)) {
      return;
    }
    StringBuilder others = new StringBuilder();
    String mine = null;
    for (JsonNode i : c.path("intents")) {
      String who = i.path("author").path("id").asText();
      String val =
          i.path("value").isTextual() ? i.path("value").asText() : i.path("value").toString();
      if (who.equals(actorId)) {
        mine = val;
      } else {
        others.append(others.length() == 0 ? "" : ", ").append(who).append(" wanted ").append(val);
      }
    }
    String kind = c.path("kind").asText();
    if (kind.equals("concurrent_assignment")) {
      say(
          "Conflict on "
              + what(c)
              + ": I set "
              + mine
              + " on a stale view while "
              + others
              + ". Leaving it to a human to pick.");
    } else {
      say("Conflict (" + kind.replace('_', ' ') + ") on " + what(c) + ". Leaving it to a human.");
    }
  }

  /** "the assignee of “Write release notes”". */
  private String what(JsonNode c) {
    String[] s = c.path("path").asText().split("/");
    if (s.length >= 5 && s[0].equals("board")) {
      String title = cardTitle(s[4]);
      return s.length >= 6 ? "the " + s[5] + " of “" + title + "”" : "“" + title + "”";
    }
    return c.path("path").asText();
  }

  private String cardTitle(String id) {
    if (doc != null) {
      for (JsonNode col : doc.path("board").path("columns")) {
        for (JsonNode card : col.path("value").path("cards")) {
          if (id.equals(card.path("id").asText())) {
            return card.path("value").path("title").asText("a card");
          }
        }
      }
    }
    return "a card";
  }

  // ---------------------------------------------------------------- work

  private void tick() {
    if (stopped || busy || ws == null || doc == null) {
      return;
    }
    Set<String> conflicted = conflictedCards();
    // decide on this view, write later with basedOn = this view's version
    JsonNode view = doc;
    String basedOn = version;
    AgentBrain.Action a;
    try {
      a = brain.decide(view, conflicted, memory).orElse(null);
    } catch (RuntimeException e) {
      LOG.warn("demo agent {}: decision failed", session, e);
      return;
    }
    if (a == null) {
      if (!"idle — waiting for new cards".equals(activity)) {
        activity = "idle — waiting for new cards";
        focus = null;
        sendPresence();
      }
      return;
    }
    busy = true;
    activity = a.doing();
    focus = M.createObjectNode().put("type", "card").put("id", a.cardId());
    sendPresence();
    long think = (long) (thinkMs * (0.6 + 0.8 * random.nextDouble()));
    pendingTimer =
        vertx.setTimer(
            Math.max(1, think),
            t -> {
              if (stopped) {
                return;
              }
              if (conflictedCards().contains(a.cardId())) {
                // a conflict opened on that card while it was thinking: it is for people now
                busy = false;
                focus = null;
                activity = "looking for work";
                say("Left “" + cardTitle(a.cardId()) + "” alone: it has an open conflict.");
                return;
              }
              ObjectNode b = M.createObjectNode();
              b.put("type", "batch");
              b.put("batchId", batchPrefix + "-" + ++batchSeq);
              b.put("basedOn", basedOn);
              b.set("ops", a.ops());
              inFlight = b;
              inFlightNarration = a.narration();
              send(b);
              if (ws == null) {
                busy = false; // resent after the welcome
              }
            });
  }

  /** Element ids of the cards that have an open conflict. */
  private Set<String> conflictedCards() {
    Set<String> out = new HashSet<>();
    for (JsonNode c : conflicts.values()) {
      String[] s = c.path("path").asText().split("/");
      if (s.length >= 5 && s[0].equals("board")) {
        out.add(s[4]);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- narration

  private synchronized void say(String text) {
    ObjectNode e = M.createObjectNode();
    e.put("at", System.currentTimeMillis());
    e.put("text", text);
    log.addLast(e);
    while (log.size() > LOG_SIZE) {
      log.removeFirst();
    }
    LOG.info("demo agent {} in {}: {}", actorId, session, text);
    sendPresence();
  }

  private void sendPresence() {
    if (ws == null) {
      return;
    }
    ObjectNode p = M.createObjectNode();
    p.put("type", "presence");
    ObjectNode st = p.putObject("state");
    st.put("name", actorId);
    st.put("activity", activity);
    if (focus != null) {
      st.set("focus", focus);
    } else {
      st.putNull("focus");
    }
    st.set("log", logJson());
    send(p);
  }
}
