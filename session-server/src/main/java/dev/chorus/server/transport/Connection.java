package dev.chorus.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.EncodedFrame;
import dev.chorus.server.session.Participant;
import dev.chorus.server.session.Session;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One websocket of an authenticated actor to one session: parses frames, hands them to the session
 * (on its context), writes what the session sends. Frames of one connection are handled in arrival
 * order.
 *
 * <p>Frames arrive on the websocket's context; {@link #send} may be called from the session's
 * context (Vert.x websockets accept writes from any thread). Outstanding writes are counted: past
 * {@code maxWriteQueueFrames} the client is a slow consumer and is disconnected (4408) rather than
 * buffered without bound.
 */
final class Connection implements Participant {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
  private static final AtomicLong IDS = new AtomicLong();

  /** Makes participant ids unique across the nodes of a cluster (presence travels between them). */
  private static final String NODE_TAG =
      Long.toString(
          java.util.concurrent.ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);

  private final ServerWebSocket ws;
  private final Principal principal;
  private final Session session;
  private final ServerConfig config;
  private final Metrics metrics;
  private final String participantId = "p-" + NODE_TAG + "-" + IDS.incrementAndGet();
  private final OutstandingWrites outstanding;
  private volatile String clientId = "";
  private volatile boolean snapshots;
  private volatile boolean joined;
  private volatile boolean closed;
  private volatile VersionVector welcomeVersion;
  private final long expiryTimer;
  private final Vertx vertx;
  private final Runnable onClose;

  Connection(
      Vertx vertx,
      ServerWebSocket ws,
      Principal principal,
      Session session,
      ServerConfig config,
      Metrics metrics,
      Runnable onClose) {
    this.vertx = vertx;
    this.onClose = onClose;
    this.ws = ws;
    this.principal = principal;
    this.session = session;
    this.config = config;
    this.metrics = metrics;
    this.outstanding = new OutstandingWrites(config.maxWriteQueueFrames());
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(
        b -> sendError(new ChorusException(ErrorCode.BAD_FRAME, "text frames only"), null));
    ws.exceptionHandler(
        t -> {
          LOG.debug("{}: websocket error: {}", participantId, t.toString());
          if (String.valueOf(t.getMessage()).contains("size")) {
            close(1009, "message too big");
          }
        });
    ws.closeHandler(v -> onClosed());
    long untilExpiry =
        principal.expiresAt() > 0
            ? principal.expiresAt() * 1000 - System.currentTimeMillis()
            : Long.MAX_VALUE;
    expiryTimer =
        untilExpiry < Long.MAX_VALUE / 2
            ? vertx.setTimer(
                Math.max(1, untilExpiry),
                t -> {
                  sendError(new ChorusException(ErrorCode.UNAUTHORIZED, "token expired"), null);
                  close(4401, "token expired");
                })
            : -1;
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
    return snapshots;
  }

  @Override
  public void send(EncodedFrame frame) {
    if (closed) {
      return;
    }
    if (frame.coveredBy(welcomeVersion)) {
      return;
    }
    String text = frame.text();
    if (!outstanding.write(() -> ws.writeTextMessage(text))) {
      closed = true;
      LOG.info("{} ({}): slow consumer, disconnecting", participantId, principal.actorId());
      ws.writeTextMessage(SlowConsumer.frame().toString());
      ws.close((short) 4408, "slow consumer");
    }
  }

  @Override
  public void close(int status, String reason) {
    closed = true;
    ws.close((short) status, reason);
  }

  private void onClosed() {
    closed = true;
    onClose.run();
    if (expiryTimer >= 0) {
      vertx.cancelTimer(expiryTimer);
    }
    if (joined) {
      session.exec(
          () -> {
            session.leave(this);
            return null;
          });
    }
  }

  private void sendError(ChorusException e, String batchId) {
    metrics.error(e.code().wireName());
    ObjectNode f = e.toFrame();
    if (batchId != null && !f.has("batchId")) {
      f.put("batchId", batchId);
    }
    send(f);
  }

  private void onText(String text) {
    if (closed) {
      return;
    }
    if (text.length() > config.maxFrameBytes()) {
      sendError(
          new ChorusException(
              ErrorCode.TOO_LARGE,
              "message of " + text.length() + " characters is over " + config.maxFrameBytes()),
          null);
      return;
    }
    try {
      ObjectNode f = Frames.parseObject(text);
      String type = Frames.type(f);
      switch (type) {
        case "ping":
          {
            ObjectNode p = Values.NODES.objectNode();
            p.put("type", "pong");
            if (f.has("nonce")) {
              p.set("nonce", f.get("nonce"));
            }
            send(p);
            return;
          }
        case "hello":
          hello(Frames.hello(f));
          return;
        case "batch":
          requireJoined();
          submit(Frames.batch(f, null, true, config.maxBatchOps()));
          return;
        case "resolve":
          requireJoined();
          submit(Frames.resolve(f, null));
          return;
        case "presence":
          {
            requireJoined();
            Frames.Presence p = Frames.presence(f, 4096);
            session.exec(
                () -> {
                  session.presence(this, p.state(), config.presenceTtlMs());
                  return null;
                });
            return;
          }
        default:
          throw new ChorusException(
              ErrorCode.UNKNOWN_TYPE,
              "frame type \"" + type + "\" is not known (hello, batch, resolve, presence, ping)");
      }
    } catch (ChorusException e) {
      String batchId =
          e.details() != null && e.details().has("batchId")
              ? e.details().get("batchId").asText()
              : null;
      sendError(e, batchId);
    } catch (RuntimeException e) {
      LOG.error("{}: frame failed", participantId, e);
      sendError(new ChorusException(ErrorCode.INTERNAL, "internal error: " + e), null);
    }
  }

  private void requireJoined() {
    if (!joined) {
      throw new ChorusException(ErrorCode.HELLO_REQUIRED, "send hello first");
    }
  }

  private void hello(Frames.Hello h) {
    if (joined) {
      throw new ChorusException(ErrorCode.BAD_FRAME, "hello was already sent");
    }
    joined = true;
    clientId = h.clientId();
    snapshots = h.snapshots();
    // The welcome is sent on the session's context in the same turn as the join (joinAsync
    // completes there): a frame the session broadcasts to this participant after the join can then
    // never reach the client before its welcome.
    session
        .execAsync(() -> session.joinAsync(this, h.since()).onSuccess(this::welcome))
        .onFailure(
            t -> {
              sendError(asChorus(t), null);
              close(1011, "session unavailable");
            });
  }

  /** Sends the welcome; from now on change frames of changes it already held are skipped. */
  private void welcome(ObjectNode w) {
    try {
      welcomeVersion = VersionVector.parse(w.path("version").asText());
    } catch (IllegalArgumentException e) {
      welcomeVersion = null;
    }
    send(w);
  }

  private void submit(Frames.Batch b) {
    session
        .execAsync(() -> session.submit(b, principal, this))
        .onSuccess(r -> send(r.ackFrame()))
        .onFailure(t -> sendError(asChorus(t), b.batchId()));
  }

  static ChorusException asChorus(Throwable t) {
    if (!(t instanceof ChorusException)) {
      LOG.error("unexpected failure", t);
    }
    return ChorusException.of(t);
  }
}
