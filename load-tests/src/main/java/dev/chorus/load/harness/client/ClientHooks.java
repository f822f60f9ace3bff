package dev.chorus.load.harness.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Scenario callbacks of a {@link ChorusClient}, run on the client's context after the client
 * updated its own state. Defaults do nothing.
 */
public interface ClientHooks {
  /** A {@code welcome} (first connect or resume). */
  default void welcome(ChorusClient c, JsonNode welcome) {}

  /** A {@code change} frame from someone else. */
  default void change(ChorusClient c, JsonNode change) {}

  /** A {@code conflict.opened} or {@code conflict.resolved} frame. */
  default void conflict(ChorusClient c, JsonNode frame) {}

  ClientHooks NONE = new ClientHooks() {};
}
