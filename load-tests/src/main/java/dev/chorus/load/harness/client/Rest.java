package dev.chorus.load.harness.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The REST side of protocol v1 the harness uses for setup and verification: read a session, its
 * history and conflicts, apply a batch. Blocking (JDK HTTP client): call it off the event loops.
 * Every call carries the operator token it was given.
 */
public final class Rest {
  private final URI base;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private final java.util.concurrent.atomic.LongAdder serverErrors =
      new java.util.concurrent.atomic.LongAdder();

  public Rest(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** A failed REST call: status and body. */
  public static final class Failed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int status;

    Failed(int status, String what) {
      super(what);
      this.status = status;
    }
  }

  /** Answers with a 5xx status this client got so far. */
  public long serverErrors() {
    return serverErrors.sum();
  }

  /** {@code GET /v1/sessions/{id}} ({@code version}, {@code stateHash}, {@code doc}, ...). */
  public JsonNode session(String id, String shape) {
    return get(
        "/v1/sessions/"
            + id
            + (shape == null ? "" : "?shape=" + URLEncoder.encode(shape, StandardCharsets.UTF_8)));
  }

  /** {@code GET /v1/sessions/{id}/history?since=} ({@code version}, {@code changes}). */
  public JsonNode history(String id, String since) {
    return get(
        "/v1/sessions/"
            + id
            + "/history?since="
            + URLEncoder.encode(since == null ? "" : since, StandardCharsets.UTF_8));
  }

  /** {@code GET /health}. */
  public JsonNode health() {
    return get("/health");
  }

  /** {@code GET /v1/sessions/{id}/conflicts}. */
  public JsonNode conflicts(String id) {
    return get("/v1/sessions/" + id + "/conflicts");
  }

  /** {@code POST /v1/sessions/{id}/ops}: a blind write based on the current version. */
  public JsonNode apply(String id, String batchId, ArrayNode ops) {
    ObjectNode body = Json.obj().put("batchId", batchId);
    body.set("ops", ops);
    return send(
        HttpRequest.newBuilder(base.resolve("/v1/sessions/" + id + "/ops"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  /** Milliseconds a {@code GET /v1/sessions/{id}} takes, measured here (for cold loads). */
  public double timedGetMs(String id) {
    long t0 = System.nanoTime();
    session(id, null);
    return (System.nanoTime() - t0) / 1e6;
  }

  private JsonNode get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  private JsonNode send(HttpRequest.Builder b) {
    HttpRequest r =
        b.timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token).build();
    try {
      HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() >= 500) {
        serverErrors.increment();
      }
      if (res.statusCode() != 200) {
        throw new Failed(
            res.statusCode(), r.method() + " " + r.uri().getPath() + ": " + res.body());
      }
      return Json.parse(res.body());
    } catch (IOException e) {
      throw new Failed(-1, r.method() + " " + r.uri() + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed(-1, "interrupted");
    }
  }
}
