package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a {@link ChorusClient} tells its owner, on the client's context. Every method has a default
 * that does nothing: implement what you need.
 */
public interface ChorusListener {
  /** Every welcome, the first and each after a reconnect (resumed or not). */
  default void onWelcome(JsonNode welcome) {}

  /** Someone else's change ({@code change} frame). */
  default void onChange(JsonNode change) {}

  /**
   * A write — maybe yours — opened a conflict: two intents for one place. Not an error: a question
   * for you or a human; {@link ChorusClient#resolve} answers it.
   */
  default void onConflictOpened(JsonNode conflict) {}

  /** A conflict was resolved ({@code conflict.resolved} frame: {@code conflict}, {@code by}). */
  default void onConflictResolved(JsonNode frame) {}

  /** Someone's presence changed ({@code presence} frame). */
  default void onPresence(JsonNode frame) {}

  /** The connection dropped; the client reconnects by itself unless it was closed. */
  default void onDisconnected() {}
}
