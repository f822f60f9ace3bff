package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A client of one session over REST, for agents that would rather not hold a connection: it keeps
 * the last version it read or wrote and sends it as {@code basedOn}, gives every write an
 * idempotency key and re-sends it under that key after {@code 429}/{@code 503} (the server's {@code
 * retryAfterMs} plus jitter) or a lost response, so it is applied once. Refusals fail with {@link
 * Refused}. Thread-safe; futures complete on the JDK's HTTP threads.
 *
 * <p>Reads: {@link #read}, {@link #open} (creating the session with a shape), {@link #conflicts},
 * {@link #history} (what changed since a version, with authors and batch ids).
 */
public final class ChorusRest {
  private static final int MAX_ATTEMPTS = 8;

  private final HttpClient http;
  private final String sessionUrl;
  private final Supplier<String> token;
  private final AtomicLong retries = new AtomicLong();
  private volatile String version;

  /** {@code baseUrl} like {@code http://127.0.0.1:8080}. */
  public ChorusRest(String baseUrl, String session, Supplier<String> token) {
    this(newHttpClient(), baseUrl, session, token);
  }

  /**
   * On a shared HTTP client: one process talking to many sessions keeps one connection pool (and
   * one selector thread) instead of one per session.
   */
  public ChorusRest(HttpClient http, String baseUrl, String session, Supplier<String> token) {
    this.http = http;
    this.sessionUrl = baseUrl + "/v1/sessions/" + session;
    this.token = token;
  }

  /** An HTTP client as this class wants one: HTTP/1.1, 10 s to connect. */
  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** How many requests were re-sent after a {@code 429}, a {@code 5xx} or a lost response. */
  public long retries() {
    return retries.get();
  }

  /** The last version read or written (null before the first). */
  public String version() {
    return version;
  }

  /** {@code GET /v1/sessions/{id}}: document, version, conflicts. */
  public CompletableFuture<JsonNode> read() {
    return send(HttpRequest.newBuilder(URI.create(sessionUrl)).GET(), 0).thenApply(this::seen);
  }

  /**
   * {@code GET /v1/sessions/{id}?shape=}: as {@link #read}, and a session that does not exist yet
   * is created with {@code shape}.
   */
  public CompletableFuture<JsonNode> open(String shape) {
    String q = "?shape=" + URLEncoder.encode(shape, StandardCharsets.UTF_8);
    return send(HttpRequest.newBuilder(URI.create(sessionUrl + q)).GET(), 0).thenApply(this::seen);
  }

  /**
   * {@code GET .../history?since=}: {@code {"version", "changes"}}, every change not included in
   * {@code since} ("" or null: all the node retains), each with author, batch id and version.
   */
  public CompletableFuture<JsonNode> history(String since) {
    String q = "?since=" + URLEncoder.encode(since == null ? "" : since, StandardCharsets.UTF_8);
    return send(HttpRequest.newBuilder(URI.create(sessionUrl + "/history" + q)).GET(), 0);
  }

  /** {@code GET .../conflicts}. */
  public CompletableFuture<JsonNode> conflicts() {
    return send(HttpRequest.newBuilder(URI.create(sessionUrl + "/conflicts")).GET(), 0);
  }

  /** Writes {@code ops} based on the last version read or written. */
  public CompletableFuture<JsonNode> apply(ArrayNode ops) {
    return apply(ops, version, false, null);
  }

  /**
   * Writes {@code ops} as decided on {@code basedOn} (null: a blind write over the current
   * version); {@code strict} refuses it whole if unseen changes touched its paths ({@code
   * precondition_failed}, {@code unseen}). {@code batchId} null = a fresh one. Answers {@code
   * {"batchId", "version", "results", "duplicate"}}.
   */
  public CompletableFuture<JsonNode> apply(
      ArrayNode ops, String basedOn, boolean strict, String batchId) {
    ObjectNode body = ChorusClient.JSON.createObjectNode();
    if (basedOn != null) {
      body.put("basedOn", basedOn);
    }
    if (strict) {
      body.put("precondition", "unchanged");
    }
    body.set("ops", ops);
    String key = batchId != null ? batchId : "rest-" + UUID.randomUUID();
    return send(
            HttpRequest.newBuilder(URI.create(sessionUrl + "/ops"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
            0)
        .thenApply(this::seen);
  }

  private JsonNode seen(JsonNode answer) {
    String v = answer.path("version").asText(null);
    if (v != null) {
      synchronized (this) {
        if (version == null || Versions.dominates(v, version)) {
          version = v;
        }
      }
    }
    return answer;
  }

  private CompletableFuture<JsonNode> send(HttpRequest.Builder b, int attempt) {
    HttpRequest req =
        b.copy()
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token.get())
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .handle(
            (res, failure) -> {
              if (failure != null || res.statusCode() == 429 || res.statusCode() >= 500) {
                if (attempt + 1 >= MAX_ATTEMPTS) {
                  throw failure != null
                      ? new CompletionException(failure)
                      : Refused.of(parse(res.body()));
                }
                retries.incrementAndGet();
                long wait =
                    failure != null ? -1 : parse(res.body()).path("retryAfterMs").asLong(-1);
                long delay =
                    wait >= 0 ? Backoff.DEFAULT.after(wait) : Backoff.DEFAULT.exponential(attempt);
                Executor later = CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS);
                // the same request, the same idempotency key: applied once whatever was lost
                return CompletableFuture.supplyAsync(() -> send(b, attempt + 1), later)
                    .thenCompose(f -> f);
              }
              JsonNode body = parse(res.body());
              if (res.statusCode() >= 400) {
                throw Refused.of(body);
              }
              return CompletableFuture.completedFuture(body);
            })
        .thenCompose(f -> f);
  }

  private static JsonNode parse(String text) {
    try {
      return text == null || text.isEmpty()
          ? ChorusClient.JSON.createObjectNode()
          : ChorusClient.JSON.readTree(text);
    } catch (Exception e) {
      return ChorusClient.JSON.createObjectNode().put("code", "internal").put("message", text);
    }
  }
}
