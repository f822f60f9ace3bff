package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's link to the other replicas of its document: hears their changes ({@link
 * RemoteChanges}) and their participants' presence ({@link PresenceBoard}) while subscribed, and
 * takes what a catch-up round ({@link CatchUp}) found. Nothing is taken while the session is broken
 * (it is being dropped). On the session's context, but for {@link #detach}.
 */
final class ReplicaLink implements Replicator.SessionListener {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaLink.class);

  private final String sessionId;
  private final Doc doc;
  private final Replicator replicator;
  private final RemoteChanges remote;
  private final PresenceBoard presence;
  private final BooleanSupplier broken;
  private volatile AutoCloseable subscription;

  ReplicaLink(
      String sessionId,
      Doc doc,
      Replicator replicator,
      RemoteChanges remote,
      PresenceBoard presence,
      BooleanSupplier broken) {
    this.sessionId = sessionId;
    this.doc = doc;
    this.replicator = replicator;
    this.remote = remote;
    this.presence = presence;
    this.broken = broken;
  }

  /** Starts hearing from the other replicas; called once, before the session serves. */
  void attach() {
    subscription = replicator.subscribe(sessionId, this);
  }

  /** Stops hearing from the other replicas (unloaded). Any thread. */
  void detach() {
    AutoCloseable s = subscription;
    if (s != null) {
      try {
        s.close();
      } catch (Exception e) {
        LOG.debug("session {}: unsubscribe failed: {}", sessionId, e.toString());
      }
    }
  }

  @Override
  public void onEntries(List<OpLogEntry> entries) {
    apply(entries);
  }

  @Override
  public void onPresence(String origin, ObjectNode participant, boolean left) {
    if (!broken.getAsBoolean()) {
      presence.remote(origin, participant, left);
    }
  }

  /** See {@link RemoteChanges#apply}; nothing while the session is broken. */
  int apply(List<OpLogEntry> entries) {
    return broken.getAsBoolean() ? 0 : remote.apply(entries);
  }

  /** Changes received whose dependencies have not arrived yet. */
  int waiting() {
    return doc.pending().size();
  }

  /** A replica left the cluster: its participants are gone (their presence with them). */
  void replicaLeft(String replica) {
    presence.nodeLeft(replica);
  }
}
