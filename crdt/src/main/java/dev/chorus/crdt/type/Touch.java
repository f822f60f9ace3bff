package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;

/** The latest op one actor made on an object: names the editors in a delete-vs-edit conflict. */
public record Touch(OpId op, Author author, long timestamp) {}
