package dev.chorus.server.agent.mcp;

import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.transport.Tokens;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.HttpHeaders;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The MCP SDK's Streamable HTTP server transport on the node's own Vert.x routes (the SDK ships it
 * for servlets and WebFlux only): {@code POST} carries JSON-RPC messages — a request is answered on
 * an SSE stream of its own, {@code GET} opens the session's listening stream (server-initiated
 * notifications), {@code DELETE} ends the MCP session. Nothing here blocks: the SDK's {@code Mono}s
 * are subscribed to, never awaited.
 *
 * <p>Every request carries a token, verified before the SDK sees it; its {@link Principal} travels
 * in the MCP transport context (key {@link #PRINCIPAL}) to every tool call, which checks it exactly
 * as REST does. An MCP session belongs to the actor that initialised it; another actor's token is
 * refused on it. Sessions unused for {@code idleMs} are closed.
 */
final class VertxStreamableTransport implements McpStreamableServerTransportProvider {
  static final String PRINCIPAL = "chorus.principal";
  private static final Logger LOG = LoggerFactory.getLogger(VertxStreamableTransport.class);

  private final Vertx vertx;
  private final McpJsonMapper json;
  private final SessionAccess access;
  private final int maxBodyBytes;
  private final long heartbeatMs;
  private final long idleMs;
  private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
  private volatile McpStreamableServerSession.Factory factory;
  private volatile Observer observer = new Observer() {};
  private long sweeper = -1;

  /** Hears what passes through, beside the SDK: requests as they arrive, sessions as they end. */
  interface Observer {
    default void requested(String mcpSession, Principal p, McpSchema.JSONRPCRequest req) {}

    default void closed(String mcpSession) {}
  }

  /** An MCP session, its owner and when it was last used. */
  private static final class Entry {
    final McpStreamableServerSession session;
    final String actorId;
    volatile long lastUsed = System.currentTimeMillis();

    Entry(McpStreamableServerSession session, String actorId) {
      this.session = session;
      this.actorId = actorId;
    }
  }

  VertxStreamableTransport(
      Vertx vertx,
      McpJsonMapper json,
      SessionAccess access,
      int maxBodyBytes,
      long heartbeatMs,
      long idleMs) {
    this.vertx = vertx;
    this.json = json;
    this.access = access;
    this.maxBodyBytes = maxBodyBytes;
    this.heartbeatMs = heartbeatMs;
    this.idleMs = idleMs;
  }

  void observe(Observer o) {
    this.observer = o;
  }

  void mount(Router r, String path) {
    r.post(path).handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes)).handler(this::post);
    r.get(path).handler(this::get);
    r.delete(path).handler(this::delete);
    sweeper = vertx.setPeriodic(Math.max(1000, idleMs / 4), t -> closeIdle());
  }

  @Override
  public void setSessionFactory(McpStreamableServerSession.Factory sessionFactory) {
    this.factory = sessionFactory;
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    return Flux.fromIterable(sessions.values())
        .flatMap(e -> e.session.sendNotification(method, params).onErrorComplete())
        .then();
  }

  @Override
  public Mono<Void> notifyClient(String sessionId, String method, Object params) {
    Entry e = sessions.get(sessionId);
    return e == null ? Mono.empty() : e.session.sendNotification(method, params);
  }

  @Override
  public Mono<Void> closeGracefully() {
    return Mono.fromRunnable(
        () -> {
          if (sweeper >= 0) {
            vertx.cancelTimer(sweeper);
          }
          sessions.values().forEach(e -> e.session.close());
          sessions.keySet().forEach(observer::closed);
          sessions.clear();
        });
  }

  // ---------------------------------------------------------------- routes

  /** Verifies the token, then runs {@code then} with the request's transport context. */
  private void authenticated(RoutingContext rc, java.util.function.Consumer<Principal> then) {
    access
        .authenticate(Tokens.of(rc.request()))
        .onSuccess(then::accept)
        .onFailure(t -> refuse(rc, ChorusException.of(t)));
  }

  /** The MCP session a request names; refuses (and returns null) if it is missing or not ours. */
  private Entry session(RoutingContext rc, Principal p) {
    String id = rc.request().getHeader(HttpHeaders.MCP_SESSION_ID);
    if (id == null || id.isBlank()) {
      refuse(rc, new ChorusException(ErrorCode.BAD_FRAME, "the Mcp-Session-Id header is missing"));
      return null;
    }
    Entry e = sessions.get(id);
    if (e == null) {
      // 404 tells an MCP client to initialise a new session
      refuse(rc, new ChorusException(ErrorCode.NOT_FOUND, "no MCP session " + id));
      return null;
    }
    if (!e.actorId.equals(p.actorId())) {
      refuse(rc, new ChorusException(ErrorCode.FORBIDDEN, "MCP session " + id + " is not yours"));
      return null;
    }
    e.lastUsed = System.currentTimeMillis();
    return e;
  }

  private void post(RoutingContext rc) {
    authenticated(
        rc,
        p -> {
          McpSchema.JSONRPCMessage message;
          try {
            String body = rc.body() == null ? null : rc.body().asString();
            if (body == null || body.isBlank()) {
              throw new IllegalArgumentException("a JSON-RPC message is required");
            }
            message = McpSchema.deserializeJsonRpcMessage(json, body);
          } catch (Exception e) {
            refuse(rc, new ChorusException(ErrorCode.BAD_FRAME, "not a JSON-RPC message: " + e));
            return;
          }
          McpTransportContext ctx = McpTransportContext.create(Map.of(PRINCIPAL, p));
          if (message instanceof McpSchema.JSONRPCRequest req
              && McpSchema.METHOD_INITIALIZE.equals(req.method())) {
            initialize(rc, p, req);
            return;
          }
          Entry e = session(rc, p);
          if (e == null) {
            return;
          }
          if (message instanceof McpSchema.JSONRPCRequest req) {
            observer.requested(e.session.getId(), p, req);
            SseResponse stream = new SseResponse(rc.response(), e.session.getId());
            e.session
                .responseStream(req, stream)
                .contextWrite(c -> c.put(McpTransportContext.KEY, ctx))
                .subscribe(
                    null,
                    t -> {
                      LOG.warn("MCP request {} failed: {}", req.method(), t.toString());
                      stream.close();
                    });
          } else {
            Mono<Void> accepted =
                message instanceof McpSchema.JSONRPCResponse res
                    ? e.session.accept(res)
                    : e.session.accept((McpSchema.JSONRPCNotification) message);
            accepted
                .contextWrite(c -> c.put(McpTransportContext.KEY, ctx))
                .subscribe(
                    null,
                    t -> refuse(rc, ChorusException.of(t)),
                    () -> rc.response().setStatusCode(202).end());
          }
        });
  }

  private void initialize(RoutingContext rc, Principal p, McpSchema.JSONRPCRequest req) {
    McpSchema.InitializeRequest init =
        json.convertValue(req.params(), new TypeRef<McpSchema.InitializeRequest>() {});
    McpStreamableServerSession.McpStreamableServerSessionInit started = factory.startSession(init);
    sessions.put(started.session().getId(), new Entry(started.session(), p.actorId()));
    started
        .initResult()
        .subscribe(
            result -> {
              try {
                rc.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader(HttpHeaders.MCP_SESSION_ID, started.session().getId())
                    .end(
                        json.writeValueAsString(
                            McpSchema.JSONRPCResponse.result(req.id(), result)));
              } catch (java.io.IOException e) {
                refuse(rc, ChorusException.of(e));
              }
            },
            t -> refuse(rc, ChorusException.of(t)));
  }

  private void get(RoutingContext rc) {
    authenticated(
        rc,
        p -> {
          Entry e = session(rc, p);
          if (e == null) {
            return;
          }
          SseResponse stream = new SseResponse(rc.response(), e.session.getId());
          McpStreamableServerSession.McpStreamableServerSessionStream listening =
              e.session.listeningStream(stream);
          long heartbeat = vertx.setPeriodic(heartbeatMs, t -> stream.comment("heartbeat"));
          rc.response()
              .closeHandler(
                  v -> {
                    vertx.cancelTimer(heartbeat);
                    listening.close();
                  });
        });
  }

  private void delete(RoutingContext rc) {
    authenticated(
        rc,
        p -> {
          Entry e = session(rc, p);
          if (e == null) {
            return;
          }
          sessions.remove(e.session.getId());
          observer.closed(e.session.getId());
          e.session
              .delete()
              .subscribe(null, t -> refuse(rc, ChorusException.of(t)), () -> rc.response().end());
        });
  }

  private void closeIdle() {
    long now = System.currentTimeMillis();
    sessions
        .values()
        .removeIf(
            e -> {
              if (now - e.lastUsed < idleMs) {
                return false;
              }
              e.session.close();
              observer.closed(e.session.getId());
              return true;
            });
  }

  /** An HTTP-level refusal, as every route of the node answers one. */
  private static void refuse(RoutingContext rc, ChorusException e) {
    HttpServerResponse res = rc.response();
    if (res.ended() || res.closed()) {
      return;
    }
    res.setStatusCode(e.code().httpStatus()).putHeader("Content-Type", "application/json");
    if (e.code() == ErrorCode.UNAUTHORIZED) {
      res.putHeader("WWW-Authenticate", "Bearer");
    }
    res.end(e.toJson().toString());
  }

  /** One SSE response stream (a request's answer, or the listening stream). */
  private final class SseResponse implements McpStreamableServerTransport {
    private final HttpServerResponse res;
    private final String sessionId;
    private volatile boolean closed;

    SseResponse(HttpServerResponse res, String sessionId) {
      this.res = res;
      this.sessionId = sessionId;
      res.setChunked(true)
          .putHeader("Content-Type", "text/event-stream; charset=utf-8")
          .putHeader("Cache-Control", "no-cache")
          .putHeader("Content-Encoding", "identity");
      res.closeHandler(v -> closed = true);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
      return sendMessage(message, null);
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message, String messageId) {
      return Mono.fromRunnable(
          () -> {
            try {
              String text = json.writeValueAsString(message);
              write(
                  "id: "
                      + (messageId != null ? messageId : sessionId)
                      + "\nevent: message\ndata: "
                      + text
                      + "\n\n");
            } catch (java.io.IOException e) {
              throw new IllegalStateException(e);
            }
          });
    }

    void comment(String text) {
      write(": " + text + "\n\n");
    }

    private synchronized void write(String chunk) {
      if (!closed && !res.ended() && !res.closed()) {
        res.write(chunk);
      }
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
      return json.convertValue(data, typeRef);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.fromRunnable(this::close);
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        if (!res.ended() && !res.closed()) {
          res.end();
        }
      }
    }
  }
}
