package dev.chorus.server.agent.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.EncodedFrame;
import dev.chorus.server.session.Participant;
import dev.chorus.server.session.Session;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code wait_for_changes}: waits, without holding a thread, until a change not included in {@code
 * since} touches one of the paths, or the timeout passes. It is a participant of the session for
 * that long — it hears every durable change as a websocket client would — but not a connection of
 * its actor ({@link #isActorConnection}): its end never releases the actor's claims. Everything but
 * the timer runs on the session's context.
 */
final class ChangeWaiter implements Participant {
  private static final AtomicLong IDS = new AtomicLong();

  private final Vertx vertx;
  private final Session session;
  private final Principal principal;
  private final VersionVector since;
  private final Collection<Path> paths;
  private final Promise<ObjectNode> done = Promise.promise();
  private final String participantId =
      "w-" + Long.toString(System.nanoTime(), 36) + "-" + IDS.incrementAndGet();
  private long timer = -1;

  private ChangeWaiter(
      Vertx vertx,
      Session session,
      Principal principal,
      VersionVector since,
      Collection<Path> paths) {
    this.vertx = vertx;
    this.session = session;
    this.principal = principal;
    this.since = since;
    this.paths = paths;
  }

  /**
   * {@code {"changed", "version", "changes": [UnseenChange]}}: at once if such changes were made
   * already, else with the first durable change that makes some, or {@code changed: false} after
   * {@code timeoutMs}.
   */
  static Future<ObjectNode> await(
      Vertx vertx,
      Session session,
      Principal principal,
      VersionVector since,
      Collection<Path> paths,
      long timeoutMs) {
    return session.execAsync(
        () -> {
          ArrayNode now = session.reads().changesTouching(since, paths);
          if (!now.isEmpty()) {
            return Future.succeededFuture(result(session, true, now));
          }
          ChangeWaiter w = new ChangeWaiter(vertx, session, principal, since, paths);
          session.join(w, session.version().toString()); // a resumed, empty welcome: no document
          w.timer =
              vertx.setTimer(
                  timeoutMs, t -> session.exec(() -> w.finish(Values.NODES.arrayNode(), false)));
          return w.done.future();
        });
  }

  private static ObjectNode result(Session s, boolean changed, ArrayNode changes) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("changed", changed);
    o.put("version", s.version().toString());
    o.set("changes", changes);
    return o;
  }

  /** On the session's context. */
  private boolean finish(ArrayNode changes, boolean changed) {
    if (done.future().isComplete()) {
      return false;
    }
    vertx.cancelTimer(timer);
    done.complete(result(session, changed, changes));
    // not now: the session may be iterating over its participants to send this very frame
    session.context().runOnContext(v -> session.leave(this));
    return true;
  }

  @Override
  public void send(EncodedFrame frame) {
    if (frame.changeVersion() == null || done.future().isComplete()) {
      return;
    }
    try {
      ArrayNode changes = session.reads().changesTouching(since, paths);
      if (!changes.isEmpty()) {
        finish(changes, true);
      }
    } catch (RuntimeException e) {
      // never into the publisher's loop: the other participants still get this frame
      finish(Values.NODES.arrayNode(), false);
    }
  }

  @Override
  public void close(int status, String reason) {
    finish(Values.NODES.arrayNode(), false); // the session is closing or reloading
  }

  @Override
  public boolean isActorConnection() {
    return false;
  }

  @Override
  public String participantId() {
    return participantId;
  }

  @Override
  public String clientId() {
    return "mcp-wait";
  }

  @Override
  public Principal principal() {
    return principal;
  }

  @Override
  public boolean wantsSnapshots() {
    return false;
  }
}
