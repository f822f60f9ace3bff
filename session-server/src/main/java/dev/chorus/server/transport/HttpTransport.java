package dev.chorus.server.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.auth.Role;
import dev.chorus.server.auth.TokenService;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.Replicator;
import dev.chorus.server.session.Session;
import dev.chorus.server.session.SessionRegistry;
import dev.chorus.server.store.OpLogStore;
import dev.chorus.server.transport.sse.EventStreams;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP surface of a node: the session websocket, the REST routes, health, metrics, demo tokens
 * and the board's static files ({@code webroot/} on the classpath). Every session route
 * authenticates first and answers errors as {@code {"code", "message", ...}} with the status of
 * {@link ErrorCode}.
 */
public final class HttpTransport {
  /** The websocket subprotocol of protocol v1 (see {@link Tokens} for the one carrying a token). */
  public static final String WEBSOCKET_PROTOCOL = Tokens.PROTOCOL;

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

  private final Vertx vertx;
  private final ServerConfig config;
  private final SessionRegistry registry;
  private final TokenService tokens;
  private final Metrics metrics;
  private final OpLogStore store;
  private final Replicator replicator;
  private final SessionAccess access;
  private final EventStreams events;
  private final ConnectionSlots connections;
  private volatile List<String> origins = List.of();

  public HttpTransport(
      Vertx vertx,
      ServerConfig config,
      SessionRegistry registry,
      TokenService tokens,
      Metrics metrics,
      OpLogStore store,
      Replicator replicator) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.tokens = tokens;
    this.metrics = metrics;
    this.store = store;
    this.replicator = replicator;
    this.access = new SessionAccess(registry, tokens);
    this.connections = new ConnectionSlots(config.maxConnections());
    this.events = new EventStreams(vertx, access, config, metrics, connections, this::error);
    metrics.gauge(
        "chorus.connections", "open websocket connections and event streams", connections::open);
  }

  /** Called once the actual port is known. */
  public void listening(int port) {
    origins = config.effectiveOrigins(port);
  }

  /** Open websockets and event streams (each counts in {@code --max-connections}). */
  public int connections() {
    return connections.open();
  }

  /** Sessions as tokens may use them (for endpoints mounted beside these routes). */
  public SessionAccess access() {
    return access;
  }

  /**
   * The routes; {@code endpoints} mounts further ones (MCP, the demo agent) ahead of the catch-all
   * {@code not_found} of {@code /v1/*}.
   */
  public Router router(java.util.function.Consumer<Router> endpoints) {
    Router r = Router.router(vertx);
    if (config.demo() && !config.demoAllowRemote()) {
      // demo mode mints tokens for anyone who asks: only for this machine, unless configured
      r.route()
          .handler(
              rc -> {
                io.vertx.core.net.SocketAddress a = rc.request().remoteAddress();
                if (a != null && isLoopback(a.hostAddress())) {
                  rc.next();
                } else {
                  error(
                      rc,
                      new ChorusException(
                          ErrorCode.FORBIDDEN,
                          "demo mode serves loopback clients only (see --demo-allow-remote)"));
                }
              });
    }
    r.get("/health").handler(this::health);
    r.get("/metrics")
        .handler(
            rc ->
                rc.response()
                    .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.scrape()));
    r.get("/v1/sessions/:id/ws").handler(this::webSocket);
    r.get("/v1/sessions/:id/events").handler(events::handle);
    endpoints.accept(r);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxFrameBytes());
    r.post("/v1/*").handler(body);
    r.get("/v1/sessions/:id").handler(rc -> withSession(rc, false, this::getSession));
    r.get("/v1/sessions/:id/conflicts").handler(rc -> withSession(rc, false, this::conflicts));
    r.get("/v1/sessions/:id/history").handler(rc -> withSession(rc, false, this::history));
    r.post("/v1/sessions/:id/ops").handler(rc -> withSession(rc, true, this::postOps));
    r.post("/v1/sessions/:id/resolve").handler(rc -> withSession(rc, true, this::postResolve));
    r.post("/v1/demo/token").handler(this::demoToken);
    r.route("/v1/*")
        .handler(rc -> error(rc, new ChorusException(ErrorCode.NOT_FOUND, "no such route")));
    r.route().handler(new BoardAssets("webroot")); // the board, from memory (see BoardAssets)
    r.errorHandler(
        413,
        rc ->
            error(
                rc,
                new ChorusException(
                    ErrorCode.TOO_LARGE, "body over " + config.maxFrameBytes() + " bytes")));
    r.errorHandler(
        500,
        rc -> {
          if (rc.failure() != null) {
            LOG.error("request failed: {}", rc.request().path(), rc.failure());
          }
          error(rc, new ChorusException(ErrorCode.INTERNAL, "internal error"));
        });
    return r;
  }

  // ---------------------------------------------------------------- helpers

  /** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback; never resolves names. */
  static boolean isLoopback(String hostAddress) {
    if (hostAddress == null || hostAddress.isEmpty()) {
      return false;
    }
    String h = hostAddress;
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    int zone = h.indexOf('%');
    if (zone >= 0) {
      h = h.substring(0, zone);
    }
    if (!h.matches("[0-9a-fA-F:.]+")) {
      return false; // not an IP literal: never look a name up
    }
    try {
      return java.net.InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private void error(RoutingContext rc, ChorusException e) {
    metrics.error(e.code().wireName());
    HttpServerResponse res = rc.response();
    if (res.ended() || res.closed()) {
      return;
    }
    ObjectNode o = e.toJson();
    res.setStatusCode(e.code().httpStatus()).putHeader("Content-Type", "application/json");
    if (o.has("retryAfterMs")) {
      res.putHeader("Retry-After", Long.toString((o.get("retryAfterMs").asLong() + 999) / 1000));
    }
    res.end(o.toString());
  }

  private static void json(RoutingContext rc, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = Values.MAPPER.writeValueAsBytes(body); // UTF-8 straight away: a document can be MBs
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    rc.response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(bytes));
  }

  /** Authenticates and checks the session grant; fails with unauthorized / forbidden. */
  private Future<Principal> authorize(HttpServerRequest req, String sessionId) {
    return access
        .authenticate(Tokens.of(req))
        .compose(
            p -> {
              SessionAccess.check(p, sessionId, false);
              return Future.succeededFuture(p);
            });
  }

  private interface SessionHandler {
    void handle(RoutingContext rc, Principal p, Session s);
  }

  private void withSession(RoutingContext rc, boolean write, SessionHandler h) {
    String id = rc.pathParam("id");
    access
        .authenticate(Tokens.of(rc.request()))
        .compose(
            p ->
                access
                    .open(p, id, write, rc.request().getParam("shape"))
                    .map(s -> new Object[] {p, s}))
        .onSuccess(ps -> h.handle(rc, (Principal) ps[0], (Session) ps[1]))
        .onFailure(t -> error(rc, Connection.asChorus(t)));
  }

  private static final ObjectNode NOT_MODIFIED = Values.NODES.objectNode();
  private static final Pattern ENTITY_TAG = Pattern.compile("\\*|(?:W/)?(\"[^\"]*\")");

  private static String etag(String version) {
    return "\"" + version + "\"";
  }

  // ---------------------------------------------------------------- websocket

  private void webSocket(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    req.pause();
    String id = rc.pathParam("id");
    String origin = req.getHeader("Origin");
    if (origin != null && !origins.contains(origin)) {
      error(rc, new ChorusException(ErrorCode.FORBIDDEN, "origin " + origin + " is not allowed"));
      return;
    }
    ConnectionSlots.Slot slot = connections.take();
    if (slot == null) {
      // admission control: a clear, retryable refusal instead of a timeout
      error(rc, connections.full());
      return;
    }
    // The upgrade and the Connection (which sets the frame handlers) must happen in one turn of
    // this connection's event loop: Vert.x drops a text frame that arrives before a handler is set.
    // registry.open completes on the session's context when the session had to be loaded; upgrading
    // from there blocked that thread on the handshake and handed the websocket back to this loop in
    // a later task, so a hello read in between was lost and that client never got a welcome.
    // Opening counts as use of the session (exec): an idle session is not unloaded between the
    // upgrade and the hello, which would leave this connection on a session no longer served.
    Context connectionContext = vertx.getOrCreateContext();
    authorize(req, id)
        .compose(
            p ->
                registry
                    .open(id, req.getParam("shape"))
                    .compose(s -> s.exec(() -> new Object[] {p, s})))
        .onComplete(ar -> connectionContext.runOnContext(v -> upgrade(rc, ar, slot)));
  }

  private void upgrade(
      RoutingContext rc, io.vertx.core.AsyncResult<Object[]> ar, ConnectionSlots.Slot slot) {
    HttpServerRequest req = rc.request();
    if (ar.failed()) {
      slot.release();
      error(rc, Connection.asChorus(ar.cause()));
      return;
    }
    Object[] ps = ar.result();
    req.toWebSocket()
        .onFailure(
            t -> {
              slot.release();
              LOG.debug("upgrade failed: {}", t.toString());
            })
        .onSuccess(
            ws ->
                // (Connection owns the close handler: it gives the slot back)
                new Connection(
                    vertx, ws, (Principal) ps[0], (Session) ps[1], config, metrics, slot::release));
  }

  // ---------------------------------------------------------------- REST

  private void getSession(RoutingContext rc, Principal p, Session s) {
    boolean plain = "plain".equals(rc.request().getParam("view"));
    String cached = rc.request().getHeader("If-None-Match");
    // a poller that has this version already gets 304 without the document being rendered (a
    // board with thousands of open conflicts is megabytes); NOT_MODIFIED stands for that answer
    s.exec(
            () -> {
              String version = s.version().toString();
              return Map.entry(
                  version, unchanged(cached, version) ? NOT_MODIFIED : s.reads().snapshot(plain));
            })
        .onSuccess(
            read -> {
              rc.response().putHeader("ETag", etag(read.getKey()));
              if (read.getValue() == NOT_MODIFIED) {
                rc.response().setStatusCode(304).end();
              } else {
                json(rc, 200, read.getValue());
              }
            })
        .onFailure(t -> error(rc, Connection.asChorus(t)));
  }

  /** Whether an {@code If-None-Match} header names {@code version} (or is {@code *}). */
  private static boolean unchanged(String ifNoneMatch, String version) {
    if (ifNoneMatch == null) {
      return false;
    }
    // entity tags are quoted and a version has commas in it: match tags, not comma-split pieces
    Matcher m = ENTITY_TAG.matcher(ifNoneMatch);
    while (m.find()) {
      if (m.group().equals("*") || m.group(1).equals(etag(version))) {
        return true;
      }
    }
    return false;
  }

  private void conflicts(RoutingContext rc, Principal p, Session s) {
    SessionAccess.conflicts(s)
        .onSuccess(o -> json(rc, 200, o))
        .onFailure(t -> error(rc, Connection.asChorus(t)));
  }

  private void history(RoutingContext rc, Principal p, Session s) {
    SessionAccess.history(s, rc.request().getParam("since", ""))
        .onSuccess(o -> json(rc, 200, o))
        .onFailure(
            t -> {
              ChorusException c = Connection.asChorus(t);
              if (c.code() == ErrorCode.STALE_BASE) {
                metrics.error(c.code().wireName());
                ObjectNode o = Values.NODES.objectNode();
                o.put("code", c.code().wireName());
                o.put("message", c.getMessage());
                json(rc, 410, o);
              } else {
                error(rc, c);
              }
            });
  }

  private ObjectNode body(RoutingContext rc) {
    String text = rc.body() == null ? null : rc.body().asString();
    if (text == null || text.isBlank()) {
      throw new ChorusException(ErrorCode.BAD_FRAME, "a JSON body is required");
    }
    return Frames.parseObject(text);
  }

  private void postOps(RoutingContext rc, Principal p, Session s) {
    Frames.Batch b;
    try {
      ObjectNode f = body(rc);
      String ifMatch = rc.request().getHeader("If-Match");
      if (ifMatch != null) {
        String v = ifMatch.trim();
        if (v.startsWith("W/")) {
          v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        f.put("basedOn", v);
        f.put("precondition", "unchanged");
      }
      b = Frames.batch(f, rc.request().getHeader("Idempotency-Key"), false, config.maxBatchOps());
    } catch (ChorusException e) {
      error(rc, e);
      return;
    }
    apply(rc, p, s, b);
  }

  private void postResolve(RoutingContext rc, Principal p, Session s) {
    Frames.Batch b;
    try {
      b = Frames.resolve(body(rc), rc.request().getHeader("Idempotency-Key"));
    } catch (ChorusException e) {
      error(rc, e);
      return;
    }
    apply(rc, p, s, b);
  }

  private void apply(RoutingContext rc, Principal p, Session s, Frames.Batch b) {
    SessionAccess.apply(s, p, b)
        .onSuccess(
            r -> {
              rc.response().putHeader("ETag", etag(r.version()));
              json(rc, 200, r.toJson());
            })
        .onFailure(t -> error(rc, Connection.asChorus(t)));
  }

  // ---------------------------------------------------------------- health, demo

  private void health(RoutingContext rc) {
    vertx
        .executeBlocking(store::healthy, false)
        .onComplete(
            ar -> {
              boolean storeUp = ar.succeeded() && ar.result();
              String hz = replicator.health();
              boolean up = storeUp && !"down".equals(hz);
              ObjectNode o = Values.NODES.objectNode();
              o.put("status", up ? "up" : "down");
              o.put("store", storeUp ? "up" : "down");
              o.put("hazelcast", hz);
              o.put("members", replicator.members());
              o.put("sessions", registry.loaded());
              o.put("connections", connections.open());
              json(rc, up ? 200 : 503, o);
            });
  }

  private void demoToken(RoutingContext rc) {
    if (!config.demo()) {
      error(rc, new ChorusException(ErrorCode.NOT_FOUND, "demo mode is off"));
      return;
    }
    try {
      ObjectNode f = body(rc);
      String actor = Frames.requiredString(f, "actor", 128);
      String session = Frames.requiredString(f, "session", 128);
      if (!SessionRegistry.SESSION_ID.matcher(session).matches()) {
        throw new ChorusException(
            ErrorCode.BAD_FRAME, "session id must match " + SessionRegistry.SESSION_ID);
      }
      JsonNode k = f.get("kind");
      JsonNode r = f.get("role");
      ActorKind kind = ActorKind.fromWire(k == null ? "human" : k.asText());
      Role role = Role.fromWire(r == null ? "editor" : r.asText());
      long ttl = 12 * 3600;
      String token = tokens.mint(actor, kind, List.of(session), role, ttl);
      ObjectNode o = Values.NODES.objectNode();
      o.put("token", token);
      o.put("expiresAt", System.currentTimeMillis() + ttl * 1000);
      json(rc, 200, o);
    } catch (ChorusException e) {
      error(rc, e);
    } catch (IllegalArgumentException e) {
      error(rc, new ChorusException(ErrorCode.BAD_FRAME, e.getMessage()));
    }
  }
}
