package dev.chorus.crdt.conflict;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;

/**
 * One side of a conflict: who wanted what, and when.
 *
 * @param op the op that expressed the intent
 * @param author its author
 * @param timestamp wall-clock millis when it was recorded
 * @param role {@code "value"} (an assigned value), {@code "deleter"}, {@code "editor"}, or {@code
 *     "destination"} (a move target)
 * @param value the assigned value as plain JSON-like Java, the destination list path for a move, or
 *     null
 */
public record Intent(OpId op, Author author, long timestamp, String role, Object value) {}
