package dev.chorus.crdt.conflict;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;

/** A conflict appeared (or changed) or went away because of a change. */
public sealed interface ConflictEvent {

  Conflict conflict();

  /** A conflict is open after the change: new, or with other intents than before. */
  record Opened(Conflict conflict) implements ConflictEvent {}

  /**
   * A conflict was open before the change and is not after it.
   *
   * @param conflict the conflict as it was
   * @param by the author of the change that resolved it
   * @param op the id of that change
   */
  record Resolved(Conflict conflict, Author by, OpId op) implements ConflictEvent {}
}
