package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.client.Backoff;
import dev.chorus.client.ChorusClient;
import dev.chorus.client.ChorusListener;
import dev.chorus.client.ChorusRest;
import dev.chorus.load.harness.Json;
import dev.chorus.load.harness.metrics.LoadStats;
import dev.chorus.load.harness.metrics.Progress;
import dev.chorus.load.harness.verify.ClientView;
import dev.chorus.load.harness.verify.Verdict;
import dev.chorus.load.harness.verify.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Everything a scenario run uses: the target, one Vert.x instance with a websocket client shared by
 * all simulated clients, REST clients for setup and verification (an operator token, one shared
 * HTTP client), the statistics, the progress line, the parameters, the clients it made (for the
 * final verification) and the verdict. {@link #finish} is the common ending: drain, sync, verify,
 * close.
 */
public final class RunContext implements AutoCloseable {
  private final String scenario;
  private final Target target;
  private final Params params;
  private final PrintStream out;
  private final Vertx vertx;
  private final WebSocketClient wsClient;
  private final LoadStats stats = new LoadStats();
  private final Progress progress;
  private final HttpClient http = ChorusRest.newHttpClient();
  private final String operatorToken;
  private final Map<String, ChorusRest> rests = new ConcurrentHashMap<>();
  private final List<SimClient> clients = new CopyOnWriteArrayList<>();
  private final Verdict verdict = new Verdict();
  private final List<String> notes = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private long runNanos;
  private volatile Stream.Result stream;

  public RunContext(String scenario, Target target, Params params, PrintStream out) {
    this.scenario = scenario;
    this.target = target;
    this.params = params;
    this.out = out;
    this.vertx = Vertx.vertx();
    this.wsClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(1_000_000)
                .setMaxFrameSize(1 << 20)
                .setMaxMessageSize(256 << 20)
                .setConnectTimeout(10_000));
    this.operatorToken = target.tokens().token("harness-verifier", "agent", "owner", "*");
    this.progress =
        new Progress(
            scenario, stats, () -> (int) clients.stream().filter(SimClient::live).count(), out);
  }

  public String scenario() {
    return scenario;
  }

  public Target target() {
    return target;
  }

  public Params params() {
    return params;
  }

  public PrintStream out() {
    return out;
  }

  public Vertx vertx() {
    return vertx;
  }

  public LoadStats stats() {
    return stats;
  }

  /** REST on {@code session} as the harness's operator (an owner of every session). */
  public ChorusRest rest(String session) {
    return rests.computeIfAbsent(
        session, s -> new ChorusRest(http, baseUrl(), s, () -> operatorToken));
  }

  /** REST requests re-sent after a 429, a 5xx or a lost response, over all sessions. */
  public long restRetries() {
    return rests.values().stream().mapToLong(ChorusRest::retries).sum();
  }

  /** {@code GET /health} of the target node. */
  public JsonNode health() throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl() + "/health"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body());
  }

  /** Waits (≤ 60 s) for a REST answer; a refusal or failure is thrown. */
  public static <T> T get(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  private String baseUrl() {
    String b = target.base().toString();
    return b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
  }

  public Verdict verdict() {
    return verdict;
  }

  public Progress progress() {
    return progress;
  }

  public List<SimClient> clients() {
    return clients;
  }

  /** Records the stream measurement of a one-writer scenario (for the report). */
  public void fanout(Stream.Result r) {
    this.stream = r;
  }

  public Stream.Result stream() {
    return stream;
  }

  /** A line for the report's notes (what happened that numbers do not say). */
  public void note(String s) {
    notes.add(s);
  }

  public List<String> notes() {
    return notes;
  }

  /** Seconds from the start of the run to the end of the load (before verification). */
  public double runSeconds() {
    return (runNanos == 0 ? System.nanoTime() - startNanos : runNanos) / 1e9;
  }

  /** Marks the end of the load phase (throughput is computed over the time until here). */
  public void loadDone() {
    if (runNanos == 0) {
      runNanos = System.nanoTime() - startNanos;
    }
  }

  /**
   * Makes (does not connect) a client of {@code session} for actor {@code actorId} ({@code
   * human}|{@code agent}, role {@code editor} or {@code viewer}).
   */
  public SimClient client(
      String session,
      String shape,
      String clientId,
      String actorId,
      String kind,
      String role,
      boolean keepReplica,
      ChorusListener hooks) {
    String token = target.tokens().token(actorId, kind, role, session);
    // the whole history in the welcome (a replica to compare), a fleet's quick backoff (one
    // machine), and a batch refused as retryable for a minute is given up
    ChorusClient.Options o =
        new ChorusClient.Options(
                target.host(), target.port(), session, clientId, () -> token, false)
            .withShape(shape)
            .withFullHistory()
            .withBackoff(BACKOFF)
            .givingUpAfter(60_000);
    SimClient c = new SimClient(vertx, wsClient, o, actorId, keepReplica, stats, hooks);
    clients.add(c);
    return c;
  }

  private static final Backoff BACKOFF = new Backoff(50, 5_000);

  /**
   * Closes the clients of {@code session} and leaves them out of the final verification (a
   * benchmark's warm-up, whose deliveries its meter counted).
   */
  public void discard(String session) throws InterruptedException {
    List<SimClient> done = clients.stream().filter(c -> c.session().equals(session)).toList();
    clients.removeAll(done);
    await(done.stream().map(c -> c.client().close()).toList(), 10_000);
  }

  /** Waits (bounded) for all futures; returns how many did not succeed in time. */
  public static int await(List<? extends Future<?>> fs, long timeoutMs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    int failed = 0;
    for (Future<?> f : fs) {
      long left = deadline - System.nanoTime();
      try {
        f.toCompletionStage().toCompletableFuture().get(Math.max(1, left), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        failed++;
      }
    }
    return failed;
  }

  /**
   * The common ending: waits (≤ {@code drainMs}) until every client has no batch outstanding, pings
   * every client so every frame sent before is received, then verifies every session.
   */
  public void finish(boolean modelConflicts, long drainMs) throws Exception {
    loadDone();
    progress.phase("drain");
    List<Future<Boolean>> drained = new ArrayList<>();
    for (SimClient c : clients) {
      drained.add(c.client().flush(drainMs));
    }
    int notDrained = 0;
    for (Future<Boolean> f : drained) {
      Boolean ok =
          f.toCompletionStage().toCompletableFuture().get(drainMs + 5_000, TimeUnit.MILLISECONDS);
      if (!Boolean.TRUE.equals(ok)) {
        notDrained++;
      }
    }
    if (notDrained > 0) {
      note(
          notDrained
              + " clients still had batches outstanding after "
              + drainMs
              + " ms (in doubt)");
    }
    // a client dropped (or shut out by a node restart) near the end resumes before it is compared:
    // its view is what resume delivered, not what it had when the load stopped
    long syncDeadline = System.nanoTime() + 20_000_000_000L;
    List<Future<Void>> synced = new ArrayList<>();
    for (SimClient c : clients) {
      synced.add(syncOnline(c, syncDeadline));
    }
    await(synced, 25_000);
    progress.phase("verify");
    Map<String, List<ClientView>> bySession = new LinkedHashMap<>();
    for (SimClient c : clients) {
      ClientView v = c.view().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      bySession.computeIfAbsent(c.session(), k -> new ArrayList<>()).add(v);
    }
    Verifier verifier = new Verifier(this::rest);
    for (Map.Entry<String, List<ClientView>> e : bySession.entrySet()) {
      verifier.verify(e.getKey(), e.getValue(), modelConflicts, verdict);
    }
  }

  /** A {@code sync} round trip once {@code c} is online again; retried until {@code deadline}. */
  private Future<Void> syncOnline(SimClient c, long deadlineNanos) {
    return c.client()
        .sync()
        .recover(
            t -> {
              if (System.nanoTime() > deadlineNanos) {
                return Future.failedFuture(t);
              }
              Promise<Void> again = Promise.promise();
              vertx.setTimer(100, id -> syncOnline(c, deadlineNanos).onComplete(again));
              return again.future();
            });
  }

  @Override
  public void close() {
    progress.close();
    List<Future<Void>> closed = new ArrayList<>();
    for (SimClient c : clients) {
      closed.add(c.client().close());
    }
    try {
      await(closed, 10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      out.println("[" + scenario + "] closing Vert.x: " + e);
    }
  }
}
