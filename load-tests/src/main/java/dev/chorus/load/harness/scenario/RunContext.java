package dev.chorus.load.harness.scenario;

import dev.chorus.load.harness.client.Backoff;
import dev.chorus.load.harness.client.ChorusClient;
import dev.chorus.load.harness.client.ClientHooks;
import dev.chorus.load.harness.client.Rest;
import dev.chorus.load.harness.metrics.LoadStats;
import dev.chorus.load.harness.metrics.Progress;
import dev.chorus.load.harness.verify.Verdict;
import dev.chorus.load.harness.verify.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Everything a scenario run uses: the target, one Vert.x instance with a websocket client, the
 * statistics, the progress line, the parameters, the clients it made (for the final verification)
 * and the verdict. {@link #finish} is the common ending: drain, sync, verify, close.
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
  private final Rest rest;
  private final List<ChorusClient> clients = new CopyOnWriteArrayList<>();
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
    this.rest =
        new Rest(target.base(), target.tokens().token("harness-verifier", "agent", "owner", "*"));
    this.progress =
        new Progress(
            scenario, stats, () -> (int) clients.stream().filter(ChorusClient::live).count(), out);
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

  public Rest rest() {
    return rest;
  }

  public Verdict verdict() {
    return verdict;
  }

  public Progress progress() {
    return progress;
  }

  public List<ChorusClient> clients() {
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
  public ChorusClient client(
      String session,
      String shape,
      String clientId,
      String actorId,
      String kind,
      String role,
      boolean keepReplica,
      ClientHooks hooks) {
    String token = target.tokens().token(actorId, kind, role, session);
    ChorusClient c =
        new ChorusClient(
            vertx,
            wsClient,
            new ChorusClient.Spec(
                target.host(),
                target.port(),
                session,
                shape,
                clientId,
                actorId,
                kind,
                token,
                keepReplica,
                true,
                new Backoff(50, 5_000),
                60,
                60_000),
            stats,
            hooks);
    clients.add(c);
    return c;
  }

  /**
   * Closes the clients of {@code session} and leaves them out of the final verification (a
   * benchmark's warm-up, whose deliveries its meter counted).
   */
  public void discard(String session) throws InterruptedException {
    List<ChorusClient> done =
        clients.stream().filter(c -> c.spec().session().equals(session)).toList();
    clients.removeAll(done);
    await(done.stream().map(ChorusClient::close).toList(), 10_000);
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
    for (ChorusClient c : clients) {
      drained.add(c.drain(drainMs));
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
    List<Future<Void>> synced = new ArrayList<>();
    for (ChorusClient c : clients) {
      synced.add(c.sync(10_000));
    }
    await(synced, 20_000);
    progress.phase("verify");
    Map<String, List<ChorusClient.View>> bySession = new LinkedHashMap<>();
    for (ChorusClient c : clients) {
      ChorusClient.View v =
          c.view().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      bySession.computeIfAbsent(c.spec().session(), k -> new ArrayList<>()).add(v);
    }
    Verifier verifier = new Verifier(rest);
    for (Map.Entry<String, List<ChorusClient.View>> e : bySession.entrySet()) {
      verifier.verify(e.getKey(), e.getValue(), modelConflicts, verdict);
    }
  }

  @Override
  public void close() {
    progress.close();
    List<Future<Void>> closed = new ArrayList<>();
    for (ChorusClient c : clients) {
      closed.add(c.close());
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
