package dev.chorus.load.harness.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints the HS256 tokens a Chorus node accepts (claims {@code sub}, {@code kind}, {@code sessions},
 * {@code role}, {@code exp}; see docs/operations.md, "Security") with the node's secret, so the
 * harness needs no round trip per actor. Used for nodes the harness starts (it chooses their {@code
 * --jwt-secret}) and for {@code --url} targets given {@code --jwt-secret}.
 */
public final class JwtMinter implements TokenSource {
  private static final ObjectMapper M = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] secret;
  private final long ttlSeconds;
  private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

  public JwtMinter(String secret, long ttlSeconds) {
    if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("an HS256 secret needs at least 32 bytes");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.ttlSeconds = ttlSeconds;
  }

  @Override
  public String token(String actorId, String kind, String role, String session) {
    return cache.computeIfAbsent(
        actorId + '\n' + kind + '\n' + role + '\n' + session,
        k -> mint(actorId, kind, role, session));
  }

  private String mint(String actorId, String kind, String role, String session) {
    ObjectNode header = M.createObjectNode().put("alg", "HS256").put("typ", "JWT");
    long now = System.currentTimeMillis() / 1000;
    ObjectNode claims = M.createObjectNode();
    claims.put("sub", actorId);
    claims.put("kind", kind);
    claims.putArray("sessions").add(session);
    claims.put("role", role);
    claims.put("iat", now);
    claims.put("exp", now + ttlSeconds);
    String signingInput =
        B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] sig = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(sig);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
