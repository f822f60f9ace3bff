package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.auth.Principal;

/**
 * One connection of an actor to a session, as the session sees it: a place to send frames. The
 * websocket endpoint implements it; the session calls it only from its own context.
 */
public interface Participant {
  /** Unique within the node. */
  String participantId();

  String clientId();

  Principal principal();

  /**
   * Whether this participant is a connection of its actor, so the actor's claims end when its last
   * one leaves. False for a watcher the node keeps on an actor's behalf (an MCP {@code
   * wait_for_changes}), whose end says nothing about the actor being gone.
   */
  default boolean isActorConnection() {
    return true;
  }

  /** True if {@code change} frames should carry the whole document. */
  boolean wantsSnapshots();

  /**
   * Sends an encoded frame. MUST NOT block. Implementations bound their queue and disconnect a slow
   * consumer instead of buffering without limit.
   */
  void send(EncodedFrame frame);

  /** Sends a frame meant for this participant alone (an ack, an error, a welcome). */
  default void send(ObjectNode frame) {
    send(EncodedFrame.of(frame));
  }

  /** Closes the connection after sending a final error frame. */
  void close(int status, String reason);
}
