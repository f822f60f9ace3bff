package dev.chorus.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Role;
import dev.chorus.server.auth.TokenService;
import dev.chorus.server.session.SessionRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Demo mode only: starts and stops one {@link DemoAgent} per session, from the board's button.
 *
 * <ul>
 *   <li>{@code GET /v1/demo/agent?session=<id>} → {@code {"session", "actor", "kind": "agent",
 *       "running", "thinkMs", "log"}}
 *   <li>{@code POST /v1/demo/agent} body {@code {"session", "running": true|false, "thinkMs"?}} →
 *       the same. {@code thinkMs} (100..60000, default 2500) is how long the agent "thinks" between
 *       reading the board and writing, i.e. how stale its view is when it writes.
 * </ul>
 *
 * Like {@code POST /v1/demo/token}, these routes need no token: a demo node trusts its visitors.
 * The agents connect to the node's own public websocket on localhost with a token minted here.
 */
public final class DemoAgents {
  public static final String ACTOR = "scout";
  private static final ObjectMapper M = new ObjectMapper();
  private static final long DEFAULT_THINK_MS = 2500;

  private final Vertx vertx;
  private final TokenService tokens;
  private final ServerConfig config;
  private final Map<String, DemoAgent> agents = new ConcurrentHashMap<>();
  private volatile int port;

  public DemoAgents(Vertx vertx, TokenService tokens, ServerConfig config) {
    this.vertx = vertx;
    this.tokens = tokens;
    this.config = config;
  }

  /**
   * Adds the routes ahead of the router's catch-all {@code /v1/*} but after its first route (order
   * 0: the demo-mode loopback guard, when there is one), so they get the same protection as {@code
   * /v1/demo/token}.
   */
  public void mount(Router router) {
    router.get("/v1/demo/agent").order(1).handler(this::status);
    router
        .post("/v1/demo/agent")
        .order(1)
        .handler(BodyHandler.create(false).setBodyLimit(4096))
        .handler(this::toggle);
  }

  /** Called once the node listens. */
  public void listening(int actualPort) {
    this.port = actualPort;
  }

  /** Stops every agent (node shutdown). */
  public void stopAll() {
    agents.values().forEach(DemoAgent::stop);
    agents.clear();
  }

  private void status(RoutingContext rc) {
    String session = rc.request().getParam("session");
    if (!validSession(session)) {
      fail(rc, 400, "bad_frame", "query parameter session is required");
      return;
    }
    reply(rc, session);
  }

  private void toggle(RoutingContext rc) {
    JsonNode body;
    try {
      body = M.readTree(rc.body() == null ? "" : rc.body().asString());
    } catch (Exception e) {
      body = null;
    }
    if (body == null || !body.isObject()) {
      fail(rc, 400, "bad_frame", "a JSON object body is required");
      return;
    }
    String session = body.path("session").asText(null);
    JsonNode running = body.get("running");
    if (!validSession(session) || running == null || !running.isBoolean()) {
      fail(rc, 400, "bad_frame", "body needs session (string) and running (boolean)");
      return;
    }
    long think = body.path("thinkMs").asLong(DEFAULT_THINK_MS);
    if (think < 100 || think > 60_000) {
      fail(rc, 400, "bad_frame", "thinkMs must be within 100..60000");
      return;
    }
    if (running.booleanValue()) {
      agents.computeIfAbsent(
          session,
          s -> {
            DemoAgent a =
                new DemoAgent(
                    vertx,
                    s,
                    ACTOR,
                    connectHost(),
                    port,
                    () -> tokens.mint(ACTOR, ActorKind.AGENT, List.of(s), Role.EDITOR, 12 * 3600),
                    think,
                    Math.max(200, Math.min(1000, think / 2)));
            a.start();
            return a;
          });
    } else {
      DemoAgent a = agents.remove(session);
      if (a != null) {
        a.stop();
      }
    }
    reply(rc, session);
  }

  private String connectHost() {
    String h = config.host();
    return h.equals("0.0.0.0") || h.equals("::") || h.isBlank() ? "127.0.0.1" : h;
  }

  private static boolean validSession(String s) {
    return s != null && SessionRegistry.SESSION_ID.matcher(s).matches();
  }

  private void reply(RoutingContext rc, String session) {
    DemoAgent a = agents.get(session);
    ObjectNode o = M.createObjectNode();
    o.put("session", session);
    o.put("actor", ACTOR);
    o.put("kind", "agent");
    o.put("running", a != null);
    o.put("thinkMs", a != null ? a.thinkMs() : DEFAULT_THINK_MS);
    o.set("log", a != null ? a.logJson() : M.createArrayNode());
    rc.response().putHeader("Content-Type", "application/json").end(o.toString());
  }

  private static void fail(RoutingContext rc, int status, String code, String message) {
    ObjectNode o = M.createObjectNode();
    o.put("code", code);
    o.put("message", message);
    rc.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(o.toString());
  }
}
