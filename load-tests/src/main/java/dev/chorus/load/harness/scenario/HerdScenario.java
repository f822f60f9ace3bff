package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.load.harness.client.ChorusClient;
import dev.chorus.load.harness.client.ClientHooks;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

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
      boards.add(Board.setUp(ctx.rest(), "herd-" + run + "-" + s, "t", 4));
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
      ChorusClient c =
          ctx.client(
              session,
              null,
              "fleet-" + i,
              actor,
              "agent",
              "editor",
              replicas || i < sessions,
              new ClientHooks() {
                @Override
                public void change(ChorusClient c, JsonNode change) {
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
                                          if (c.outstandingCount() >= 2) {
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
