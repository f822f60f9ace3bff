package dev.chorus.server.auth;

import dev.chorus.crdt.ActorKind;
import dev.chorus.crdt.Author;
import java.util.Set;

/**
 * The verified claims of a token: who the actor is, which sessions it may touch and how.
 *
 * @param sessions session ids granted; {@code "*"} grants every session (operator tokens only)
 * @param expiresAt epoch seconds of {@code exp}, or 0 if the token has none
 */
public record Principal(
    String actorId, ActorKind kind, Set<String> sessions, Role role, long expiresAt) {
  public static final String ALL_SESSIONS = "*";

  public Principal {
    sessions = Set.copyOf(sessions);
  }

  public boolean grants(String sessionId) {
    return sessions.contains(sessionId) || sessions.contains(ALL_SESSIONS);
  }

  public Author author() {
    return new Author(actorId, kind);
  }
}
