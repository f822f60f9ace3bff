package dev.chorus.crdt.conflict;

import dev.chorus.crdt.Path;
import java.util.List;

/**
 * An open conflict, as every replica with the same ops reports it.
 *
 * @param id stable id: the same conflict has the same id on every replica and over time
 * @param kind what kind of contradiction
 * @param path where it is, from the root (element ids where it passes through lists)
 * @param winner what readers see meanwhile (the deterministic display winner), plain JSON-like Java
 * @param intents every competing intent, ordered by op id
 * @param summary one human-readable sentence
 */
public record Conflict(
    String id, ConflictKind kind, Path path, Object winner, List<Intent> intents, String summary) {
  public Conflict {
    intents = List.copyOf(intents);
  }
}
