package dev.chorus.crdt;

import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.type.ConflictFinder;
import dev.chorus.crdt.type.DocState;
import dev.chorus.crdt.type.Materializer;
import java.util.List;

/**
 * Reads of a {@link Doc}'s current state, computed once per state: a GET wants the value, the
 * conflicts and the hash (which is made of both), and nothing changes between them. {@link
 * #changed} clears them on every change to the state (commit, compact, restore); while an edit or
 * apply is under way ({@link #mutating}) nothing is kept, as the state may change under a read.
 */
final class StateReads {
  private final DocState state;
  private Value value;
  private List<Conflict> conflicts;
  private String hash;

  /** Within an edit or apply. */
  boolean mutating;

  StateReads(DocState state) {
    this.state = state;
  }

  void changed() {
    value = null;
    conflicts = null;
    hash = null;
  }

  Value value() {
    if (mutating) {
      return new Materializer(state).read();
    }
    if (value == null) {
      value = new Materializer(state).read();
    }
    return value;
  }

  List<Conflict> conflicts() {
    if (mutating) {
      return List.copyOf(new ConflictFinder(state).all());
    }
    if (conflicts == null) {
      conflicts = List.copyOf(new ConflictFinder(state).all());
    }
    return conflicts;
  }

  String hash() {
    if (mutating) {
      return StateHash.of(value(), conflicts());
    }
    if (hash == null) {
      hash = StateHash.of(value(), conflicts());
    }
    return hash;
  }
}
