package dev.chorus.load.harness.auth;

/** Where the harness gets a token for one actor on one session. */
public interface TokenSource {
  /**
   * A token for {@code actorId} of {@code kind} ({@code human}|{@code agent}) with {@code role}
   * ({@code viewer}|{@code editor}|{@code owner}) on {@code session} ({@code "*"} = every session).
   */
  String token(String actorId, String kind, String role, String session);
}
