package dev.chorus.crdt;

import java.util.Objects;

/** The actor behind a change: its id (from the token) and whether it is a human or an agent. */
public record Author(String actorId, ActorKind kind) {
  public Author {
    Objects.requireNonNull(actorId, "actorId");
    Objects.requireNonNull(kind, "kind");
  }

  public static Author human(String actorId) {
    return new Author(actorId, ActorKind.HUMAN);
  }

  public static Author agent(String actorId) {
    return new Author(actorId, ActorKind.AGENT);
  }

  @Override
  public String toString() {
    return actorId + " (" + kind.wireName() + ")";
  }
}
