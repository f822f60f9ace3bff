package dev.chorus.load.harness.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens from a node in demo mode ({@code POST /v1/demo/token}, docs/protocol.md): for {@code
 * --url} targets started with {@code --demo} when the harness does not know the node's secret. One
 * request per distinct actor, cached.
 */
public final class DemoTokens implements TokenSource {
  private static final ObjectMapper M = new ObjectMapper();
  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();

  public DemoTokens(URI base) {
    this.base = base;
  }

  @Override
  public String token(String actorId, String kind, String role, String session) {
    return cache.computeIfAbsent(
        actorId + '\n' + kind + '\n' + role + '\n' + session,
        k -> fetch(actorId, kind, role, session));
  }

  private String fetch(String actorId, String kind, String role, String session) {
    String body =
        M.createObjectNode()
            .put("actor", actorId)
            .put("kind", kind)
            .put("role", role)
            .put("session", session)
            .toString();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(base.resolve("/v1/demo/token"))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException(
            "demo token refused (" + r.statusCode() + "): " + r.body() + " (is --demo on?)");
      }
      JsonNode n = M.readTree(r.body());
      return n.get("token").asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("demo token request failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
