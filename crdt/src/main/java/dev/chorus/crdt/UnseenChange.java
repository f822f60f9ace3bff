package dev.chorus.crdt;

import dev.chorus.crdt.clock.OpId;

/**
 * A change a writer had not seen that touched a path it wants to write: the reason a strict ({@code
 * precondition: "unchanged"}) batch is refused.
 *
 * @param path the path the op touched
 * @param action what it did: {@code set}, {@code delete}, {@code insert}, {@code move}, {@code
 *     text}, {@code increment} or {@code keep}
 * @param value the assigned value for {@code set}/{@code insert} (plain JSON-like Java), else null
 * @param author who did it
 * @param op the op's id
 * @param version the document version right after the change that holds the op
 */
public record UnseenChange(
    Path path, String action, Object value, Author author, OpId op, String version) {}
