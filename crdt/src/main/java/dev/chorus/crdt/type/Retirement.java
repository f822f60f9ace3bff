package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;

/**
 * An op that named a register value in its {@code pred}. A move retires a position outright; an
 * assignment or delete retires a container value only if its writer had seen every edit inside it
 * ({@code deps} covers the subtree), so concurrent nested edits are never silently lost.
 */
public record Retirement(
    OpId by, long changeStart, Kind kind, VersionVector deps, Author author, long timestamp) {
  public enum Kind {
    SET,
    DELETE,
    MOVE
  }
}
