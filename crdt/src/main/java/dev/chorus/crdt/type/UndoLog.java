package dev.chorus.crdt.type;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The inverse of every state mutation of one change, so a change that fails half-way (a bad op in a
 * client batch, a corrupt remote change) leaves the document exactly as it was.
 */
public final class UndoLog {
  private final Deque<Runnable> undo = new ArrayDeque<>();

  public void push(Runnable inverse) {
    undo.push(inverse);
  }

  /** Runs every inverse, newest first. */
  public void rollback() {
    while (!undo.isEmpty()) {
      undo.pop().run();
    }
  }
}
