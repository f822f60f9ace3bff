package dev.chorus.server.auth;

import dev.chorus.crdt.ActorKind;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies and mints the JWTs of Chorus (HS256). Claims: {@code sub} = actor id, {@code kind} =
 * {@code human|agent}, {@code sessions} = list of session ids ({@code "*"} = all), {@code role} =
 * {@code viewer|editor|owner}, {@code exp} = expiry (required when verifying).
 *
 * <p>Thread-safe; {@link #verify} completes on the caller's context.
 */
public final class TokenService {
  /** Shortest HS256 key accepted, in bytes (RFC 7518 §3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  private final JWTAuth jwt;

  public TokenService(Vertx vertx, String secret) {
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the JWT secret must have at least " + MIN_SECRET_BYTES + " bytes");
    }
    this.jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /**
   * The secret to use: {@code configured} if not blank, else the content of {@code
   * <dataDir>/jwt-secret}, created (random, owner-only) on first use.
   */
  public static String resolveSecret(String configured, Path dataDir) throws IOException {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    Path f = dataDir.resolve("jwt-secret");
    if (Files.exists(f)) {
      return Files.readString(f, StandardCharsets.UTF_8).trim();
    }
    Files.createDirectories(dataDir);
    byte[] b = new byte[48];
    new SecureRandom().nextBytes(b);
    String s = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Files.writeString(f, s + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the data dir's permissions protect it
    }
    return s;
  }

  /** Verifies a token; fails with a {@link ChorusException} {@code unauthorized} saying why. */
  public Future<Principal> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(
          new ChorusException(
              ErrorCode.UNAUTHORIZED,
              "no token: send Authorization: Bearer <jwt> or ?token=<jwt>"));
    }
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Future.failedFuture(
          new ChorusException(ErrorCode.UNAUTHORIZED, "malformed token (not a JWT)"));
    }
    return jwt.authenticate(new TokenCredentials(token))
        .recover(
            e -> {
              String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
              String why =
                  m.contains("expired")
                      ? "token expired"
                      : m.contains("signature")
                          ? "bad token signature"
                          : "invalid token: " + e.getMessage();
              return Future.failedFuture(new ChorusException(ErrorCode.UNAUTHORIZED, why));
            })
        .compose(
            user -> {
              try {
                // vert.x moves registered claims (exp, iat, ...) from the principal into the
                // user's attributes; put them back together
                JsonObject all = user.principal().copy();
                JsonObject access = user.attributes().getJsonObject("accessToken");
                if (access != null) {
                  access.forEach(e -> all.put(e.getKey(), all.getValue(e.getKey(), e.getValue())));
                }
                for (String k : List.of("exp", "sub")) {
                  if (!all.containsKey(k) && user.attributes().containsKey(k)) {
                    all.put(k, user.attributes().getValue(k));
                  }
                }
                return Future.succeededFuture(claims(all));
              } catch (IllegalArgumentException | ClassCastException e) {
                return Future.failedFuture(
                    new ChorusException(
                        ErrorCode.UNAUTHORIZED, "token claims invalid: " + e.getMessage()));
              }
            });
  }

  private static Principal claims(JsonObject p) {
    String sub = p.getString("sub");
    if (sub == null || sub.isBlank()) {
      throw new IllegalArgumentException("sub (actor id) missing");
    }
    Object exp = p.getValue("exp");
    if (!(exp instanceof Number)) {
      throw new IllegalArgumentException("exp missing (tokens must expire)");
    }
    ActorKind kind = ActorKind.fromWire(p.getString("kind", "human"));
    Role role = Role.fromWire(p.getString("role", "viewer"));
    JsonArray s = p.getJsonArray("sessions");
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("sessions missing");
    }
    Set<String> sessions = new LinkedHashSet<>();
    for (Object o : s) {
      sessions.add((String) o);
    }
    return new Principal(sub, kind, sessions, role, ((Number) exp).longValue());
  }

  /** Mints a token valid for {@code ttlSeconds}. */
  public String mint(
      String actorId, ActorKind kind, Collection<String> sessions, Role role, long ttlSeconds) {
    JsonObject claims =
        new JsonObject()
            .put("kind", kind.wireName())
            .put("sessions", new JsonArray(List.copyOf(sessions)))
            .put("role", role.wireName());
    JWTOptions o =
        new JWTOptions()
            .setAlgorithm("HS256")
            .setSubject(actorId)
            .setExpiresInSeconds((int) Math.min(Integer.MAX_VALUE, ttlSeconds));
    return jwt.generateToken(claims, o);
  }
}
