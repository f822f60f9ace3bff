package dev.chorus.load.harness.capacity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.load.harness.Json;
import dev.chorus.load.harness.auth.JwtMinter;
import dev.chorus.load.harness.metrics.PrometheusText;
import dev.chorus.load.harness.node.ServerNode;
import dev.chorus.load.harness.scenario.Board;
import dev.chorus.load.harness.scenario.BoardMix;
import dev.chorus.load.harness.scenario.BoardView;
import dev.chorus.load.harness.scenario.Params;
import dev.chorus.load.harness.scenario.RunContext;
import dev.chorus.load.harness.scenario.SimClient;
import dev.chorus.load.harness.scenario.Target;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Cold load time of a session with a long history ({@code load-tests/bin/capacity cold [ops]}).
 * Writes {@code ops} protocol ops (default 100,000) of the board mix into each of a few sessions
 * over a websocket (batches of up to 500 ops, pipelined), restarts the node and times {@code GET
 * /v1/sessions/{id}} — the first one loads the session from the store (latest snapshot + the
 * changes after it) — against a warm {@code GET}. Then, in the same (now warm) JVM, lets the node
 * unload the idle sessions ({@code --session-idle-ms}) and loads them again, {@link #ROUNDS} times:
 * the load a long-running node does whenever an idle session comes back. Checks every reloaded
 * state hash equals the one before.
 */
public final class ColdLoad {
  /** Unload/reload rounds in the warm JVM. */
  static final int ROUNDS = 5;

  private static final long IDLE_MS = 1500;

  private ColdLoad() {}

  public static void main(String[] args) throws Exception {
    java.util.logging.Logger.getLogger("io.vertx").setLevel(java.util.logging.Level.OFF);
    int target = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int perBatch = 500;
    Path work = ServerNode.newWorkDir("cold-");
    String secret = ServerNode.randomSecret();
    try (ServerNode node =
        new ServerNode(
            ServerNode.findJar(null),
            work.resolve("node"),
            secret,
            List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC"),
            List.of("--ops-per-second", "0", "--session-idle-ms", Long.toString(IDLE_MS)))) {
      node.start(Duration.ofSeconds(90));
      Target t = new Target(node.baseUri(), new JwtMinter(secret, 6 * 3600), node);
      List<String> hashes = new ArrayList<>();
      long changes = 0;
      int docBytes = 0;
      try (RunContext ctx = new RunContext("cold", t, new Params(Map.of(), Map.of()), System.err)) {
        for (int k = 0; k < sessions; k++) {
          String session = "cold-" + k;
          seed(ctx, session, target, perBatch, new Random(7 + k));
          JsonNode s = RunContext.get(ctx.rest(session).read());
          hashes.add(s.path("stateHash").asText());
          docBytes = s.path("doc").toString().length();
          changes = RunContext.get(ctx.rest(session).history("")).path("changes").size();
        }
        System.err.printf(
            Locale.ROOT,
            "cold: %d sessions x %d ops acked in %d batches; doc %d" + " bytes; errors %s%n",
            sessions,
            target,
            ctx.stats().batchesAcked.sum(),
            docBytes,
            ctx.stats().errors());
        for (SimClient c : ctx.clients()) {
          c.client().close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // Restart the node: every session is then loaded from the store on first access.
        node.close();
        node.start(Duration.ofSeconds(90));
        double[] cold = new double[sessions];
        double[] warm = new double[sessions];
        boolean same = true;
        for (int k = 0; k < sessions; k++) {
          cold[k] = timedGetMs(ctx, "cold-" + k);
          warm[k] = timedGetMs(ctx, "cold-" + k);
          same &= sameHash(ctx, "cold-" + k, hashes.get(k));
        }
        // The same sessions unloaded when idle and loaded again, in the now warm JVM.
        Map<String, Double> m0 = metrics(node);
        List<Double> reloads = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
          awaitUnloaded(node);
          for (int k = 0; k < sessions; k++) {
            reloads.add(timedGetMs(ctx, "cold-" + k));
            same &= sameHash(ctx, "cold-" + k, hashes.get(k));
          }
        }
        Map<String, Double> m1 = metrics(node);
        double reloadCount =
            m1.getOrDefault("chorus_session_load_seconds_count", 0.0)
                - m0.getOrDefault("chorus_session_load_seconds_count", 0.0);
        double reloadLoadMs =
            reloadCount == 0
                ? 0
                : 1000
                    * (m1.get("chorus_session_load_seconds_sum")
                        - m0.get("chorus_session_load_seconds_sum"))
                    / reloadCount;
        double[] r = reloads.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double reloadMedian = r[r.length / 2];
        // What the node says of its loads after the restart: changes replayed, time.
        Map<String, Double> m = m0;
        double loads = m.getOrDefault("chorus_session_load_seconds_count", 0.0);
        double loadMs = loads == 0 ? 0 : 1000 * m.get("chorus_session_load_seconds_sum") / loads;
        double replayed = m.getOrDefault("chorus_session_load_replayed_total", 0.0);
        double[] later = Arrays.copyOfRange(cold, 1, sessions);
        Arrays.sort(later);
        double[] w = warm.clone();
        Arrays.sort(w);
        double coldWarmJvm = later.length == 0 ? cold[0] : later[later.length / 2];
        System.out.printf(
            Locale.ROOT,
            "cold load of a session with a %d-op history (%d ops per batch, %d changes in its"
                + " history, doc %d bytes): first GET after a restart %.1f"
                + " ms in a fresh JVM; cold loads of the other %d sessions %s ms (median %.1f); warm"
                + " GET median %.1f ms; state hashes after reload %s; the node: %.0f loads, %.0f"
                + " changes replayed, %.1f ms per load (store read, snapshot decode, replay)%n",
            target,
            perBatch,
            changes,
            docBytes,
            cold[0],
            sessions - 1,
            Arrays.toString(Arrays.copyOfRange(cold, 1, sessions)),
            coldWarmJvm,
            w[w.length / 2],
            same ? "equal" : "DIFFERENT",
            loads,
            replayed,
            loadMs);
        System.out.printf(
            Locale.ROOT,
            "reloads after an idle unload, warm JVM: %d GETs, median %.1f ms, p90 %.1f ms (the"
                + " node: %.0f loads, %.1f ms per load without the GET)%n",
            r.length,
            reloadMedian,
            r[(int) Math.min(r.length - 1, Math.round(0.9 * (r.length - 1)))],
            reloadCount,
            reloadLoadMs);
        System.out.printf(
            Locale.ROOT,
            "RESULT cold_load_ops=%d cold_load_ms=%.1f fresh_jvm_first_load_ms=%.1f"
                + " warm_get_ms=%.1f reload_after_unload_ms=%.1f node_load_ms=%.1f%n",
            target,
            coldWarmJvm,
            cold[0],
            w[w.length / 2],
            reloadMedian,
            reloadLoadMs);
        if (!same) {
          System.exit(1);
        }
      }
    }
  }

  private static boolean sameHash(RunContext ctx, String session, String hash) throws Exception {
    return RunContext.get(ctx.rest(session).read()).path("stateHash").asText().equals(hash);
  }

  /** Milliseconds a {@code GET /v1/sessions/{id}} takes, measured here. */
  private static double timedGetMs(RunContext ctx, String session) throws Exception {
    long t0 = System.nanoTime();
    RunContext.get(ctx.rest(session).read());
    return (System.nanoTime() - t0) / 1e6;
  }

  /** Waits (bounded) until the node has unloaded every session (its {@code /health}). */
  private static void awaitUnloaded(ServerNode node) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    while (System.nanoTime() < deadline) {
      String health =
          http.send(
                  java.net.http.HttpRequest.newBuilder(node.baseUri().resolve("/health")).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      if (Json.parse(health).path("sessions").asInt(-1) == 0) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the node did not unload its idle sessions within 60 s");
  }

  /** The node's Prometheus metrics, name (with labels) to value. */
  private static Map<String, Double> metrics(ServerNode node) throws Exception {
    java.net.http.HttpResponse<String> r =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                java.net.http.HttpRequest.newBuilder(node.baseUri().resolve("/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    return PrometheusText.samples(r.body());
  }

  /** Writes {@code target} ops of the board mix into {@code session}, pipelined, all acked. */
  private static void seed(RunContext ctx, String session, int target, int perBatch, Random r)
      throws Exception {
    Board board = Board.setUp(ctx.rest(session), "t", 10);
    BoardView view = new BoardView(board);
    SimClient c =
        ctx.client(session, null, "seeder-" + session, "seeder", "agent", "editor", false, null);
    RunContext.await(List.of(c.connect()), 30_000);
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger inflight = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          while (sent.get() < target && inflight.get() < 8) {
            ArrayNode ops = Json.arr();
            java.util.Set<String> keys = new java.util.HashSet<>();
            int want = Math.min(perBatch, target - sent.get());
            for (int guard = 0; ops.size() < want && guard < 2000; guard++) {
              for (JsonNode op : BoardMix.batch(view, "seeder", true, r)) {
                if (ops.size() < want && keys.add(key(op))) {
                  ops.add(op);
                }
              }
            }
            sent.addAndGet(ops.size());
            inflight.incrementAndGet();
            c.submit(ops)
                .onComplete(
                    ar -> {
                      inflight.decrementAndGet();
                      if (ar.succeeded()) {
                        BoardMix.learnOwn(view, ops, ar.result());
                        acked.addAndGet(ops.size());
                      } else {
                        sent.addAndGet(-ops.size());
                      }
                      if (acked.get() >= target) {
                        done.tryComplete();
                      }
                      pump[0].run();
                    });
          }
        };
    c.context().runOnContext(v -> pump[0].run());
    done.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.MINUTES);
  }

  /** What one op touches: a card (its first five path segments) or the path itself. */
  private static String key(JsonNode op) {
    String p = op.path("path").asText();
    String[] seg = p.split("/");
    return seg.length >= 5 ? String.join("/", Arrays.copyOf(seg, 5)) : p;
  }
}
