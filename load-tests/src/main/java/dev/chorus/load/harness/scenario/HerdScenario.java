package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.client.ChorusListener;
import dev.chorus.load.harness.metrics.HeapPoller;
import dev.chorus.load.harness.metrics.LoadStats;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.HdrHistogram.Histogram;

/**
 * {@code herd}: an agent fleet starts up. K clients connect within one second (spread uniformly)
 * and immediately start working; they belong to a few actors (fleet members share an identity), so
 * the per-actor rate limit and the per-session queue are hit. Clients honour {@code rate_limited} /
 * {@code overloaded} ({@code retryAfterMs} + jittered exponential backoff, same batch id). Proves
 * that admission control sheds load without losing or doubling anything, and measures connect time
 * and time to the first ack.
 */
public final class HerdScenario implements Scenario {
  @Override
  public String name() {
    return "herd";
  }

  @Override
  public String description() {
    return "K clients connect within one second and start working; limits hit, backoff honoured";
  }

  @Override
  public Map<String, String> defaults(boolean quick) {
    return quick
        ? Map.of(
            "clients",
            "60",
            "sessions",
            "2",
            "actors",
            "6",
            "batches",
            "5",
            "rate",
            "20",
            "window",
            "1000",
            "node-ops-per-second",
            "20",
            "node-queue-limit",
            "8",
            "replicas",
            "true",
            "seed",
            "3")
        : Map.of(
            "clients",
            "1000",
            "sessions",
            "10",
            "actors",
            "50",
            "batches",
            "10",
            "rate",
            "20",
            "window",
            "1000",
            "node-ops-per-second",
            "40",
            "node-queue-limit",
            "64",
            "replicas",
            "false",
            "seed",
            "3");
  }

  @Override
  public List<String> nodeArgs(Params p) {
    return List.of(
        "--ops-per-second", p.s("node-ops-per-second"),
        "--session-queue-limit", p.s("node-queue-limit"));
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    try (HeapPoller heap = new HeapPoller(ctx.target().base(), 1000).start()) {
      herd(ctx);
      heap.pollOnce();
      long maxHeap = heap.maxBytes();
      ctx.verdict().fact(MAX_HEAP_MB, maxHeap < 0 ? -1 : Math.round(maxHeap / (1024.0 * 1024)));
      ctx.note(
          "node heap in use (GET /metrics, jvm_memory_used_bytes{area=\"heap\"}, every 1 s): max "
              + (maxHeap < 0
                  ? "unknown"
                  : String.format(Locale.ROOT, "%.1f MiB", maxHeap / 1048576.0))
              + " over "
              + heap.samples()
              + " readings ("
              + heap.failures()
              + " failed)");
    }
    long http5xx = ctx.stats().http5xx.sum() + ctx.restRetries();
    ctx.verdict().fact(ERRORS_5XX, http5xx);
    ctx.verdict()
        .check(
            "no 5xx answers",
            http5xx == 0,
            ctx.stats().http5xx.sum()
                + " websocket upgrades and "
                + ctx.restRetries()
                + " REST calls re-sent after a 429, a 5xx or a lost answer");
  }

  private static final String MAX_HEAP_MB = "node max heap in use MB";
  private static final String ERRORS_5XX = "HTTP 5xx answers";

  /**
   * {@code RESULT clients= connected= errors_5xx= lost= max_heap_mb= p99_connect_ms=}: connected =
   * clients that got a welcome; p99_connect_ms = p99 of first connect attempt → welcome (retries
   * and backoff included).
   */
  @Override
  public String resultLine(ScenarioResult r) {
    Histogram join = r.stats().extraHistograms().get("join");
    return String.format(
        Locale.ROOT,
        "RESULT clients=%s connected=%d errors_5xx=%s lost=%d max_heap_mb=%s p99_connect_ms=%s",
        r.params().get("clients"),
        r.stats().joined.sum(),
        r.verdict().facts().getOrDefault(ERRORS_5XX, -1),
        r.verdict().lost(),
        r.verdict().facts().getOrDefault(MAX_HEAP_MB, -1),
        join == null || join.getTotalCount() == 0
            ? "NaN"
            : String.format(Locale.ROOT, "%.0f", LoadStats.ms(join, 99)));
  }

  private void herd(RunContext ctx) throws Exception {
    Params p = ctx.params();
    int clients = p.i("clients");
    int sessions = p.i("sessions");
    int actors = p.i("actors");
    int batches = p.i("batches");
    double rate = p.d("rate");
    long window = p.l("window");
    boolean replicas = p.b("replicas");
    Random seeds = new Random(p.l("seed"));
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    List<Board> boards = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      boards.add(Board.setUp(ctx.rest("herd-" + run + "-" + s), "t", 4));
    }

    List<Future<JsonNode>> joined = new ArrayList<>();
    List<Pacer> pacers = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Future<Void>> firstAcks = new ArrayList<>();
    long deadline = System.nanoTime() + (long) ((batches / rate + 120) * 1e9);
    long t0 = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      int s = i % sessions;
      String session = "herd-" + run + "-" + s;
      String actor = "fleet-" + (i % actors);
      BoardView view = new BoardView(boards.get(s));
      Random r = new Random(seeds.nextLong());
      SimClient c =
          ctx.client(
              session,
              null,
              "fleet-" + i,
              actor,
              "agent",
              "editor",
              replicas || i < sessions,
              new ChorusListener() {
                @Override
                public void onChange(JsonNode change) {
                  view.learn(change.path("ops"));
                }
              });
      Promise<JsonNode> welcome = Promise.promise();
      joined.add(welcome.future());
      Promise<Void> first = Promise.promise();
      firstAcks.add(first.future());
      long at = ThreadLocalRandom.current().nextLong(Math.max(1, window));
      ctx.vertx()
          .setTimer(
              Math.max(1, at),
              t ->
                  c.connect()
                      .onComplete(
                          ar -> {
                            if (ar.failed()) {
                              welcome.fail(ar.cause());
                              return;
                            }
                            welcome.complete(ar.result());
                            long startedAt = System.nanoTime();
                            pacers.add(
                                new Pacer(
                                        ctx.vertx(),
                                        c.context(),
                                        rate,
                                        deadline,
                                        batches,
                                        () -> {
                                          if (c.client().pending() >= 2) {
                                            return false;
                                          }
                                          ArrayNode ops = BoardMix.batch(view, actor, true, r);
                                          c.submit(ops)
                                              .onComplete(
                                                  a -> {
                                                    if (a.succeeded()) {
                                                      BoardMix.learnOwn(view, ops, a.result());
                                                    }
                                                    if (first.tryComplete()) {
                                                      ctx.stats()
                                                          .latency(
                                                              "first-ack",
                                                              System.nanoTime() - startedAt);
                                                    }
                                                  });
                                          return true;
                                        })
                                    .start());
                          }));
    }
    int failed = RunContext.await(joined, 120_000);
    double joinSeconds = (System.nanoTime() - t0) / 1e9;
    ctx.verdict().check("all clients joined", failed == 0, failed + " of " + clients + " failed");
    RunContext.await(firstAcks, 120_000);
    while (System.nanoTime() < deadline
        && (pacers.size() < clients - failed
            || pacers.stream().anyMatch(x -> x.runs() < batches))) {
      Thread.sleep(100);
    }
    pacers.forEach(Pacer::stop);
    ctx.note(
        clients
            + " clients ("
            + actors
            + " actors) in "
            + sessions
            + " sessions joined"
            + " within "
            + String.format(java.util.Locale.ROOT, "%.1f", joinSeconds)
            + " s; "
            + batches
            + " batches each; node limits "
            + String.join(" ", nodeArgs(p)));
    ctx.finish(true, 120_000);
    long limited =
        ctx.stats().errors().getOrDefault("rate_limited", 0L)
            + ctx.stats().errors().getOrDefault("overloaded", 0L);
    ctx.note(
        limited
            + " rate_limited/overloaded answers, "
            + ctx.stats().retries.sum()
            + " retries, all honoured with backoff");
    ctx.verdict()
        .check(
            "nobody gave up",
            !ctx.stats().errors().containsKey("gave_up"),
            ctx.stats().errors().getOrDefault("gave_up", 0L) + " batches abandoned");
  }
}
