package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a {@link ChorusClient} tells its owner, on the client's context, after the client updated
 * its own state (version, conflicts). Every method has a default that does nothing: implement what
 * you need. Frames are shared read-only trees (clients on one thread parse a broadcast once): read
 * them, copy what you want to change.
 */
public interface ChorusListener {
  /** Every welcome, the first and each after a reconnect (resumed or not). */
  default void onWelcome(JsonNode welcome) {}

  /** Someone else's change ({@code change} frame). */
  default void onChange(JsonNode change) {}

  /**
   * Whether {@link #onChange} reads the frame's {@code ops} and {@code changes}. A listener that
   * only counts or times changes (by {@code batchId}, {@code author}, {@code version}) answers
   * false: its client then skips those two members unparsed and its change frames lack them (the
   * client's own state — version, document with {@code snapshots} — is kept as always). Asked once,
   * when the client is made.
   */
  default boolean wantsChangeBodies() {
    return true;
  }

  /**
   * A write — maybe yours — opened a conflict: two intents for one place. Not an error: a question
   * for you or a human; {@link ChorusClient#resolve} answers it.
   */
  default void onConflictOpened(JsonNode conflict) {}

  /** A conflict was resolved ({@code conflict.resolved} frame: {@code conflict}, {@code by}). */
  default void onConflictResolved(JsonNode frame) {}

  /** Someone's presence changed ({@code presence} frame). */
  default void onPresence(JsonNode frame) {}

  /**
   * Every {@code error} frame, also those the client handles itself (a {@code rate_limited} batch
   * it re-sends, a {@code shutting_down} it reconnects after): for logs and metrics. Refusals of
   * your writes also fail their futures with {@link Refused}.
   */
  default void onError(JsonNode error) {}

  /** A connection attempt failed (refused upgrade, no route, timeout); the client retries. */
  default void onConnectFailed(Throwable cause) {}

  /** The connection dropped; the client reconnects by itself unless it was closed or offline. */
  default void onDisconnected() {}

  /**
   * The server sent what this client did not expect — a frame of an unknown type or not JSON, an
   * ack or error naming a batch it is not waiting for. Ignored by the client; worth a log line.
   */
  default void onUnexpected(String what, String frame) {}
}
