package dev.chorus.crdt;

import dev.chorus.crdt.op.Change;
import java.util.List;

/**
 * The older part of a {@link Doc}'s history as a snapshot holds it, not decoded yet: the codec
 * decodes it when the history is first needed ({@link Doc#changesSince}, {@link Doc#unseenChanges},
 * {@link Doc#history}, {@link Doc#compact}). Apart from {@link Doc}: it is the codec's side of a
 * snapshot load, not application API.
 */
public interface UndecodedHistory {
  /** How many changes. */
  int size();

  /** The changes, oldest first; called at most once. */
  List<Change> decode();
}
