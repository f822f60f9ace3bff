package dev.chorus.server.transport.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.EncodedFrame;
import dev.chorus.server.session.Participant;
import dev.chorus.server.session.Session;
import dev.chorus.server.transport.ConnectionSlots;
import dev.chorus.server.transport.OutstandingWrites;
import dev.chorus.server.transport.SlowConsumer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event stream: a read-only participant whose frames are written as SSE events — {@code event:}
 * the frame's type, {@code data:} the same JSON as on the websocket, and on {@code change} frames
 * {@code id:} its version, so a reconnecting EventSource sends the last version it saw as {@code
 * Last-Event-ID} and gets exactly what it missed.
 *
 * <p>Like a websocket: frames of changes its welcome already held are skipped; outstanding writes
 * are bounded by {@code maxWriteQueueFrames}, past which the reader is a slow consumer and the
 * stream ends with a last {@code error} event (it reconnects and resumes, nothing is lost); an idle
 * stream gets a comment line every {@code heartbeatMs} so proxies keep it open.
 */
final class EventStream implements Participant {
  private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
  private static final AtomicLong IDS = new AtomicLong();

  /** Participant ids travel between nodes with presence: unique per node as well. */
  private static final String NODE_TAG =
      Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);

  private final Vertx vertx;
  private final HttpServerResponse res;
  private final Principal principal;
  private final Session session;
  private final String clientId;
  private final ServerConfig config;
  private final Metrics metrics;
  private final ConnectionSlots.Slot slot;
  private final String participantId = "e-" + NODE_TAG + "-" + IDS.incrementAndGet();
  private final OutstandingWrites outstanding;
  private volatile boolean closed;
  private volatile VersionVector welcomeVersion;
  private long heartbeat = -1;

  EventStream(
      Vertx vertx,
      HttpServerResponse res,
      Principal principal,
      Session session,
      String clientId,
      ServerConfig config,
      Metrics metrics,
      ConnectionSlots.Slot slot) {
    this.vertx = vertx;
    this.res = res;
    this.principal = principal;
    this.session = session;
    this.clientId = clientId;
    this.config = config;
    this.outstanding = new OutstandingWrites(config.maxWriteQueueFrames());
    this.metrics = metrics;
    this.slot = slot;
  }

  /** Opens the stream and joins the session ({@code since} may be null: the whole document). */
  void start(String since) {
    res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("Content-Encoding", "identity"); // compressed chunks would sit in the deflater
    res.closeHandler(v -> onClosed());
    if (res.closed()) { // the reader left while it was authorized: no close event will come
      onClosed();
      return;
    }
    res.write(": chorus events\n\n");
    heartbeat = vertx.setPeriodic(config.heartbeatMs(), t -> write(": heartbeat\n\n"));
    session
        .execAsync(() -> session.joinAsync(this, since).onSuccess(this::welcome))
        .onFailure(
            t -> {
              ChorusException e = ChorusException.of(t);
              metrics.error(e.code().wireName());
              write(event("error", null, errorFrame(e, true).toString()));
              close(1011, "session unavailable");
            });
  }

  @Override
  public String participantId() {
    return participantId;
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public Principal principal() {
    return principal;
  }

  @Override
  public boolean wantsSnapshots() {
    return false;
  }

  @Override
  public void send(EncodedFrame frame) {
    if (closed) {
      return;
    }
    if (frame.coveredBy(welcomeVersion)) {
      return;
    }
    VersionVector changed = frame.changeVersion();
    String text = frame.text();
    write(event(typeOf(text), changed == null ? null : changed.toString(), text));
  }

  @Override
  public void close(int status, String reason) {
    if (closed) {
      return;
    }
    closed = true;
    LOG.debug("{}: closing ({} {})", participantId, status, reason);
    res.end();
    onClosed();
  }

  /**
   * The welcome, as the websocket's; a resumed one without its {@code changes}, which follow as
   * {@code change} events (each with its version as id) — one kind of event per change, however it
   * is delivered. A full welcome carries its version as id: resuming from it is exact too.
   */
  private void welcome(ObjectNode w) {
    if (closed) {
      session.leave(this); // the reader left before its join completed
      return;
    }
    String version = w.path("version").asText();
    try {
      welcomeVersion = VersionVector.parse(version);
    } catch (IllegalArgumentException e) {
      welcomeVersion = null;
    }
    JsonNode changes = w.remove("changes");
    boolean resumed = w.path("resumed").asBoolean();
    // one write for the welcome and what it resumes, as the websocket's welcome is one frame: a
    // long catch-up is not mistaken for a slow reader
    StringBuilder catchUp =
        new StringBuilder(event("welcome", resumed ? null : version, w.toString()));
    if (changes != null) {
      for (JsonNode c : changes) {
        ObjectNode typed = Values.NODES.objectNode().put("type", "change");
        typed.setAll((ObjectNode) c);
        catchUp.append(event("change", c.path("version").asText(), typed.toString()));
      }
    }
    write(catchUp.toString());
  }

  private void write(String chunk) {
    if (closed) {
      return;
    }
    if (!outstanding.write(() -> res.write(chunk))) {
      closed = true;
      LOG.info("{} ({}): slow event-stream reader, closing", participantId, principal.actorId());
      metrics.error(ErrorCode.SLOW_CONSUMER.wireName());
      res.write(event("error", null, SlowConsumer.frame().toString()));
      res.end();
      onClosed();
    }
  }

  private void onClosed() {
    closed = true;
    slot.release(); // the connection this stream held (idempotent: closing is reported twice)
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    session.exec(
        () -> {
          session.leave(this);
          return null;
        });
  }

  private static ObjectNode errorFrame(ChorusException e, boolean fatal) {
    return e.toFrame().put("fatal", fatal);
  }

  /** One SSE event; a JSON frame has no raw newline, so it is one {@code data:} line. */
  static String event(String type, String id, String json) {
    StringBuilder b = new StringBuilder(json.length() + 64);
    if (id != null) {
      b.append("id: ").append(id).append('\n');
    }
    return b.append("event: ")
        .append(type)
        .append("\ndata: ")
        .append(json)
        .append("\n\n")
        .toString();
  }

  /** Every server frame starts with its {@code type} field: read it without parsing the rest. */
  static String typeOf(String frame) {
    String prefix = "{\"type\":\"";
    int end = frame.indexOf('"', prefix.length());
    return frame.startsWith(prefix) && end > 0 ? frame.substring(prefix.length(), end) : "message";
  }
}
