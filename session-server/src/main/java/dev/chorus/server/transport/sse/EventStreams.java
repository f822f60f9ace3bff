package dev.chorus.server.transport.sse;

import dev.chorus.server.ServerConfig;
import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.transport.ConnectionSlots;
import dev.chorus.server.transport.Tokens;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * {@code GET /v1/sessions/{id}/events?since=<version>}: a session's frames as Server-Sent Events,
 * for agents and tools that would rather read HTTP than speak websocket. Authenticated and bounded
 * like every session route; each stream is one read-only participant ({@link EventStream}). Resumes
 * from {@code Last-Event-ID} (a version; wins over {@code since}), as EventSource does. A stream
 * holds a connection like a websocket: it takes one of the node's {@link ConnectionSlots} (refused
 * with {@code overloaded} past {@code --max-connections}) and gives it back when it ends.
 */
public final class EventStreams {
  private final Vertx vertx;
  private final SessionAccess access;
  private final ServerConfig config;
  private final Metrics metrics;
  private final ConnectionSlots connections;
  private final BiConsumer<RoutingContext, ChorusException> refuse;

  /**
   * @param refuse answers a refused request (before the stream starts) as every REST route does
   */
  public EventStreams(
      Vertx vertx,
      SessionAccess access,
      ServerConfig config,
      Metrics metrics,
      ConnectionSlots connections,
      BiConsumer<RoutingContext, ChorusException> refuse) {
    this.vertx = vertx;
    this.access = access;
    this.config = config;
    this.metrics = metrics;
    this.connections = connections;
    this.refuse = refuse;
  }

  public void handle(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    ConnectionSlots.Slot slot = connections.take();
    if (slot == null) {
      refuse.accept(rc, connections.full());
      return;
    }
    String id = rc.pathParam("id");
    String lastEventId = req.getHeader("Last-Event-ID");
    String since = lastEventId != null ? lastEventId : req.getParam("since");
    String clientId = req.getParam("clientId", "events");
    Context here = vertx.getOrCreateContext();
    access
        .authenticate(Tokens.of(req))
        .compose(p -> access.open(p, id, false, req.getParam("shape")).map(s -> Map.entry(p, s)))
        .onComplete(
            ar ->
                here.runOnContext(
                    v -> {
                      if (ar.failed()) {
                        slot.release();
                        refuse.accept(rc, ChorusException.of(ar.cause()));
                        return;
                      }
                      new EventStream(
                              vertx,
                              rc.response(),
                              ar.result().getKey(),
                              ar.result().getValue(),
                              clientId,
                              config,
                              metrics,
                              slot)
                          .start(since);
                    }));
  }
}
