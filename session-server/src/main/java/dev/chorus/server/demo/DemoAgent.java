package dev.chorus.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.client.Ack;
import dev.chorus.client.ChorusClient;
import dev.chorus.client.ChorusListener;
import dev.chorus.client.Refused;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
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
 * <p>It speaks through the agents' Java client ({@link ChorusClient}: version tracking, re-sends
 * after reconnects, retries) like any external agent would. It narrates what it does in its
 * presence state ({@code activity} and the last entries of {@code log}), which the board shows in
 * its activity feed. Everything runs on one Vert.x context.
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

  private ChorusClient client;
  private boolean stopped;
  private boolean busy;
  private long tickTimer = -1;
  private long presenceTimer = -1;
  private long pendingTimer = -1;
  private String activity = "getting my bearings";
  private ObjectNode focus;

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
          // created on this context, so its callbacks and futures run here too
          client =
              new ChorusClient(
                  vertx,
                  new ChorusClient.Options(host, port, session, "demo-agent", token, true),
                  new Listener());
          say("Hi! I'm " + actorId + ", a demo agent. I triage new cards, plan and do work.");
          client
              .connect()
              .onFailure(t -> LOG.warn("demo agent {}: cannot connect: {}", session, t.toString()));
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

  // ---------------------------------------------------------------- what the session says

  /** The client's callbacks: the conflicts it is part of, narrated. */
  private final class Listener implements ChorusListener {
    @Override
    public void onWelcome(JsonNode welcome) {
      sendPresence();
    }

    @Override
    public void onConflictOpened(JsonNode conflict) {
      DemoAgent.this.onConflictOpened(conflict);
    }

    @Override
    public void onConflictResolved(JsonNode f) {
      JsonNode c = f.get("conflict");
      if (involvesMe(c) && !actorId.equals(f.path("by").path("id").asText())) {
        say(
            f.path("by").path("id").asText("someone")
                + " settled the conflict on "
                + what(c)
                + ". Fine by me.");
      }
    }
  }

  /** The batch of an action was applied, or refused for good. */
  private void written(AgentBrain.Action a, AsyncResult<Ack> ar) {
    busy = false;
    focus = null;
    activity = "looking for work";
    if (ar.succeeded()) {
      say(a.narration());
      return;
    }
    if (ar.cause() instanceof Refused r && r.code().equals("path_not_found")) {
      say("Someone moved or deleted what I was working on; I'll look again.");
    } else if (ar.cause() instanceof Refused r) {
      say(
          "The server refused my edit ("
              + r.code()
              + "): "
              + r.body().path("message").asText()
              + " — "
              + a.narration());
    } else {
      sendPresence(); // stopped
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
    JsonNode doc = client.doc();
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
    JsonNode view = client.doc();
    if (stopped || busy || view == null) {
      return;
    }
    Set<String> conflicted = conflictedCards();
    // decide on this view, write later with basedOn = this view's version
    String basedOn = client.version();
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
              // the client keeps the batch until it is acked, across reconnects
              client.submit(a.ops(), basedOn, false).onComplete(ar -> written(a, ar));
            });
  }

  /** Element ids of the cards that have an open conflict. */
  private Set<String> conflictedCards() {
    Set<String> out = new HashSet<>();
    for (JsonNode c : client.conflicts().values()) {
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
    if (client == null) {
      return;
    }
    ObjectNode st = M.createObjectNode();
    st.put("name", actorId);
    st.put("activity", activity);
    if (focus != null) {
      st.set("focus", focus);
    } else {
      st.putNull("focus");
    }
    st.set("log", logJson());
    client.presence(st);
  }
}
