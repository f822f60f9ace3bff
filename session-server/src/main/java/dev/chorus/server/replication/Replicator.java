package dev.chorus.server.replication;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Moves the changes of sessions between the replicas (nodes) of a cluster (SPI). The single-node
 * implementation is {@link LocalReplicator}; the cluster one is {@code
 * replication.hazelcast.HazelcastReplicator} (striped topics). Durability is not its job: the store
 * the nodes share is the one durable copy of every change, and catch-up reads it.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>No method blocks the caller; futures complete on the caller's Vert.x context.
 *   <li>{@link #publish} is best effort (a lost message is found by catch-up from the store): it is
 *       called after the entries are committed to the store, in the order they were made.
 *   <li>Entries are immutable and keyed by change id; replicas merge them by set union, so
 *       delivering one twice, or out of order, is harmless.
 *   <li>Listener methods run on the context that subscribed (the session's own context), never on a
 *       replication thread.
 * </ol>
 */
public interface Replicator {

  /** What a session hears from the other replicas. Called on the session's context. */
  interface SessionListener {
    /** Entries other replicas made (in their order; may be duplicates or early). */
    void onEntries(List<OpLogEntry> entries);

    /**
     * Presence of a participant connected to another replica: {@code participant} is the {@code
     * participant} object of the {@code presence} frame; {@code left} when it went away.
     */
    void onPresence(String originReplica, ObjectNode participant, boolean left);
  }

  /** What the node hears about the cluster. Called on a worker or event-loop thread. */
  interface TopologyListener {
    /**
     * Members joined, or this member rejoined after a split (changes may have been made that no
     * topic message carried): every loaded session should catch up.
     */
    void onJoined();

    /** A replica left (crashed, stopped or cut off): drop its presence; catch up. */
    void onLeft(String replicaId);
  }

  /** Tells the other replicas holding the session about stored entries (best effort). */
  void publish(String sessionId, List<OpLogEntry> entries);

  /** Tells the other replicas about a local participant's presence (best effort). */
  void publishPresence(String sessionId, ObjectNode participant, boolean left);

  /**
   * Starts delivering the session's remote entries and presence to {@code listener} on the caller's
   * context; the handle stops it.
   */
  AutoCloseable subscribe(String sessionId, SessionListener listener);

  /** Registers the node-wide topology listener (one). */
  void onTopology(TopologyListener listener);

  /**
   * True if this replica should make the session's server-side writes (releasing expired claims):
   * exactly one live replica leads each session, so replicas do not write competing releases.
   */
  boolean leads(String sessionId);

  /** True when other replicas may exist (catch-up is worth asking for). */
  boolean clustered();

  /** "up", "down" or "disabled", for /health. */
  String health();

  /** Members of the cluster this node sees (1 for a single node). */
  int members();
}
