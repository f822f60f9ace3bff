package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The participants of one session connected to this node, and sending to all of them. Every
 * broadcast is encoded once, whatever the number of recipients. On the session's context.
 */
final class Participants {
  private static final ChorusException STOPPING =
      new ChorusException(ErrorCode.SHUTTING_DOWN, "server is stopping; reconnect with since");

  private final Map<String, Participant> byId = new LinkedHashMap<>();

  void add(Participant p) {
    byId.put(p.participantId(), p);
  }

  /** False if it was not here. */
  boolean remove(Participant p) {
    return byId.remove(p.participantId()) != null;
  }

  int size() {
    return byId.size();
  }

  boolean isEmpty() {
    return byId.isEmpty();
  }

  Collection<Participant> all() {
    return byId.values();
  }

  /** Whether anyone but {@code p} (may be null) is here: a broadcast from {@code p} has readers. */
  boolean anyBut(Participant p) {
    return byId.size() > (p != null && byId.get(p.participantId()) == p ? 1 : 0);
  }

  /** Whether some participant wants the whole document with every change. */
  boolean anyWantsSnapshots() {
    for (Participant p : byId.values()) {
      if (p.wantsSnapshots()) {
        return true;
      }
    }
    return false;
  }

  /** Whether the actor has a connection here (watchers do not count). */
  boolean hasActor(String actorId) {
    for (Participant p : byId.values()) {
      if (p.isActorConnection() && p.principal().actorId().equals(actorId)) {
        return true;
      }
    }
    return false;
  }

  void sendAll(ObjectNode frame) {
    sendAllExcept(EncodedFrame.of(frame), null);
  }

  /** Sends to every participant but {@code except} (may be null). */
  void sendAllExcept(EncodedFrame frame, Participant except) {
    for (Participant p : byId.values()) {
      if (p != except) {
        p.send(frame);
      }
    }
  }

  /** Closes every connection and forgets them. */
  void closeAll(int status, String reason) {
    for (Participant p : List.copyOf(byId.values())) {
      p.close(status, reason);
    }
    byId.clear();
  }

  /**
   * Closes every connection because the server stops: a last {@code shutting_down} error with a
   * jittered {@code retryAfterMs} each (between one and two times {@code retryAfterMs}, so they do
   * not all come back at once), then status 1001.
   */
  void shutdown(long retryAfterMs) {
    for (Participant p : List.copyOf(byId.values())) {
      ObjectNode f = STOPPING.toFrame().put("fatal", true);
      f.put("retryAfterMs", retryAfterMs + ThreadLocalRandom.current().nextLong(retryAfterMs + 1));
      p.send(f);
    }
    closeAll(1001, "server shutting down");
  }
}
