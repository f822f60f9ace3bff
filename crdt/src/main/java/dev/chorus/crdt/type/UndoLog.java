package dev.chorus.crdt.type;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The inverse of every state mutation of one change, so a change that fails half-way (a bad op in a
 * client batch, a corrupt remote change) leaves the document exactly as it was.
 */
public final class UndoLog {
  // Made on the first push.
  private Deque<Runnable> undo;

  public void push(Runnable inverse) {
    if (undo == null) {
      undo = new ArrayDeque<>(8);
    }
    undo.push(inverse);
  }

  /** This log, emptied: its change is over (committed or rolled back). */
  public UndoLog cleared() {
    if (undo != null) {
      undo.clear();
    }
    return this;
  }

  /** Runs every inverse, newest first. */
  public void rollback() {
    while (undo != null && !undo.isEmpty()) {
      undo.pop().run();
    }
  }
}
