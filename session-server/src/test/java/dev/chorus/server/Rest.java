package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A tiny blocking REST client for tests. */
final class Rest {
  static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  record Response(int status, JsonNode body, Map<String, java.util.List<String>> headers) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private Rest() {}

  static Response get(String url, String token, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.GET().build());
  }

  static Response post(String url, String token, String json, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private static Response send(HttpRequest r) throws Exception {
    // Bounded however the client behaves: a request whose own timeout never fired once hung a CI
    // run for minutes (over an h2c-upgraded connection; the client now speaks HTTP/1.1).
    HttpResponse<String> res =
        HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
    JsonNode body;
    try {
      body = res.body().isEmpty() ? null : M.readTree(res.body());
    } catch (Exception e) {
      body = M.getNodeFactory().textNode(res.body());
    }
    return new Response(res.statusCode(), body, res.headers().map());
  }
}
