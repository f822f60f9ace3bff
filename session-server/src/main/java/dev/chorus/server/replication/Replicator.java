package dev.chorus.server.replication;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves the changes of a session between replicas (SPI). The single-node implementation is {@link
 * LocalReplicator}; the cluster one (Hazelcast topics + the grow-only op log) plugs in here.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>{@link #publish} MUST NOT block the caller; it is called on the session's context, after
 *       the changes are durable in the local store, in the order they were made.
 *   <li>Changes are the codec's JSON encoding; replicas merge them by set union (idempotent), so
 *       delivering one twice is harmless.
 *   <li>The handler given to {@link #subscribe} is called on the session's context (the
 *       implementation hops there).
 * </ol>
 */
public interface Replicator {

  /** Sends changes made on this replica to the other replicas of the session. */
  Future<Void> publish(String sessionId, List<String> changeJsons);

  /**
   * Receives changes other replicas made; returns a handle that unsubscribes. {@code onChanges}
   * runs on the caller's (the session's) context.
   */
  AutoCloseable subscribe(String sessionId, Consumer<List<String>> onChanges);

  /** "up", "down" or "disabled", for /health. */
  String health();

  /** Members of the cluster this node sees (1 for a single node). */
  int members();
}
