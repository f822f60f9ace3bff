package dev.chorus.load.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.client.Ops;
import dev.chorus.load.harness.auth.JwtMinter;
import dev.chorus.load.harness.metrics.ProcessCpu;
import dev.chorus.load.harness.node.FreePort;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.HdrHistogram.Histogram;

/**
 * The cluster benchmark ({@code load-tests/bin/cluster-bench}): three nodes (separate processes,
 * Hazelcast members on loopback) sharing one real PostgreSQL server; one writer per node drives a
 * steady write load into one session, every writer timing how long the others' changes took to
 * reach it through its own node (cross-node propagation, HdrHistogram). Phase 2 keeps the load on
 * and kills one node with SIGKILL halfway; its writer moves to a survivor. At the end every acked
 * increment must be in the counters on the survivors, and the survivors must show one state hash.
 *
 * <p>Last line: {@code RESULT nodes=3 ops=<sent> acked=<n> lost=<acked increments missing>
 * converged=<true|false> p50_ms=<> p99_ms=<> ops_per_s=<acked per second, phase 1>
 * cpu_ms_per_op=<CPU of the nodes, PostgreSQL and this process in phase 1, per acked op>}.
 */
public final class ClusterBench {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    double rate = 3000;
    int seconds = 20;
    // Fresh node JVMs at a few hundred ops/s compile for about two minutes (a method run once per
    // op reaches C2's threshold after ~30 s, one run once per group commit after minutes): phase 1
    // measures the steady state only after that. --warmup 10 gives the rows measured before.
    int warmup = 120;
    int window = 256;
    String heap = "512m";
    String jar = null;
    List<String> nodeArgs = new ArrayList<>();
    Map<String, String> pgSettings = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--window" -> window = Integer.parseInt(args[++i]);
        case "--node-heap" -> heap = args[++i];
        case "--server-jar" -> jar = args[++i];
        case "--node-args" -> nodeArgs.addAll(List.of(args[++i].trim().split("\\s+")));
        case "--pg-setting" -> {
          String[] kv = args[++i].split("=", 2);
          pgSettings.put(kv[0], kv[1]);
        }
        case "--quick" -> {
          rate = 600;
          seconds = 6;
          warmup = 3;
        }
        default -> {
          System.err.println(
              "usage: cluster-bench [--rate OPS_PER_S] [--seconds PER_PHASE] [--warmup SECONDS]"
                  + " [--window IN_FLIGHT] [--node-heap 512m] [--server-jar PATH]"
                  + " [--node-args 'FLAGS'] [--pg-setting NAME=VALUE]... [--quick]");
          System.exit(2);
        }
      }
    }
    System.exit(run(jar, rate, seconds, warmup, window, heap, nodeArgs, pgSettings) ? 0 : 1);
  }

  private static boolean run(
      String jarArg,
      double rate,
      int seconds,
      int warmup,
      int window,
      String heap,
      List<String> nodeArgs,
      Map<String, String> pgSettings)
      throws Exception {
    Path jar =
        Path.of(jarArg != null ? jarArg : "session-server/target/chorus-server.jar")
            .toAbsolutePath();
    Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "cluster-");
    String secret = UUID.randomUUID() + "-" + UUID.randomUUID();
    String clusterName = "chorus-bench-" + UUID.randomUUID().toString().substring(0, 8);
    log("data and logs in " + dir);

    // zonky starts PostgreSQL with -F (fsync off) and synchronous_commit=off: a commit is in the
    // server's memory, not on disk, when the ack goes. --pg-setting fsync=on --pg-setting
    // synchronous_commit=on measures what a production server's defaults cost.
    EmbeddedPostgres.Builder pgBuilder =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("max_connections", "100")
            .setDataDirectory(dir.resolve("pg"))
            .setCleanDataDirectory(true)
            .setPGStartupWait(Duration.ofSeconds(60));
    pgSettings.forEach(pgBuilder::setServerConfig);
    EmbeddedPostgres pg = pgBuilder.start();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE chorus");
    }
    String storeUrl = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/chorus?user=postgres";
    log("PostgreSQL on 127.0.0.1:" + pg.getPort() + " " + pgSettings);

    List<String> members = new ArrayList<>();
    List<Integer> hzPorts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int p = FreePort.pick();
      hzPorts.add(p);
      members.add("127.0.0.1:" + p);
    }
    List<ClusterNodeProcess> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(
          new ClusterNodeProcess(
              jar,
              dir,
              "n" + (i + 1),
              FreePort.pick(),
              hzPorts.get(i),
              members,
              clusterName,
              storeUrl,
              secret,
              heap,
              nodeArgs));
    }
    // One event loop for the three writers: their timers and frames wake one thread, not three,
    // on cores the nodes share (the load generator's CPU is part of cpu_ms_per_op).
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      for (ClusterNodeProcess n : nodes) {
        n.start();
      }
      for (ClusterNodeProcess n : nodes) {
        n.awaitHealthy(Duration.ofSeconds(120));
      }
      await(() -> nodes.stream().allMatch(n -> n.members() == 3), 60, "3 members");
      log("3 nodes up: " + nodes.stream().map(n -> n.replica + "@" + n.port).toList());

      String session = "bench-" + UUID.randomUUID().toString().substring(0, 8);
      JwtMinter tokens = new JwtMinter(secret, 3600);
      Map<String, BenchWriter.Sent> sent = BenchWriter.sharedLog();
      List<BenchWriter> writers = new ArrayList<>();
      // the writers' clients take the context they are made on: one for all, the pacer's
      Context writersContext = vertx.getOrCreateContext();
      for (int i = 0; i < 3; i++) {
        int index = i;
        Promise<BenchWriter> made = Promise.promise();
        writersContext.runOnContext(
            v ->
                made.complete(
                    new BenchWriter(
                        index,
                        vertx,
                        session,
                        tokens.token("writer" + index, "agent", "editor", session),
                        nodes.get(index).port,
                        nodes.get(index).replica,
                        sent,
                        window)));
        BenchWriter w = get(made.future());
        get(w.connect());
        writers.add(w);
      }
      new Pacer(vertx, writersContext, writers).start();
      // the counters, created once, seen by every node before the load starts
      ObjectNode counters = JsonNodeFactory.instance.objectNode();
      for (int i = 0; i < 3; i++) {
        counters.set("w" + i, JsonNodeFactory.instance.objectNode().put("$counter", 0));
      }
      get(writers.get(0).write(Ops.batch(Ops.set("bench", counters))));
      String reader = tokens.token("reader", "human", "viewer", session);
      await(
          () -> {
            for (ClusterNodeProcess n : nodes) {
              if (!read(n.port, session, reader).path("doc").path("bench").has("w2")) {
                return false;
              }
            }
            return true;
          },
          30,
          "counters on every node");
      for (BenchWriter w : writers) {
        w.resetAcked(); // the setup batch is not part of the load
      }

      // ---- warm-up: the same load, reported apart. Fresh JVMs spend their first seconds
      // compiling (on the same two cores), which is not the steady state phase 1 measures.
      if (warmup > 0) {
        log(String.format("warm-up: %.0f ops/s for %d s", rate, warmup));
        for (BenchWriter w : writers) {
          w.run(rate / 3, true);
        }
        Thread.sleep(warmup * 1000L);
        Histogram cold = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (BenchWriter w : writers) {
          cold.add(w.propagation());
        }
        log(
            String.format(
                "warm-up: propagation p50 %.2f ms p99 %.2f ms max %.2f ms (%d samples)",
                ms(cold.getValueAtPercentile(50)),
                ms(cold.getValueAtPercentile(99)),
                ms(cold.getMaxValue()),
                cold.getTotalCount()));
      }

      // ---- phase 1: steady load through all three nodes
      log(String.format("phase 1: %.0f ops/s for %d s through 3 nodes", rate, seconds));
      long a0 = totalAcked(writers);
      Predicate<String> postgres = cmd -> cmd.contains(dir.resolve("pg").toString());
      Map<String, Map<Long, Long>> cpu0 = cpuByProcess(nodes, postgres);
      Map<String, Long> jit0 = jitByProcess(nodes);
      long t0 = System.nanoTime();
      for (BenchWriter w : writers) {
        w.run(rate / 3, true);
      }
      Thread.sleep(seconds * 1000L);
      for (BenchWriter w : writers) {
        w.stopRecording();
      }
      long phase1Acked = totalAcked(writers) - a0;
      double phase1Secs = (System.nanoTime() - t0) / 1e9;
      Map<String, Map<Long, Long>> cpu1 = cpuByProcess(nodes, postgres);
      Map<String, Long> jit1 = jitByProcess(nodes);
      StringBuilder perHop = new StringBuilder("phase 1 CPU per acked op (ms):");
      long cpuNanos = 0;
      for (String who : cpu1.keySet()) {
        long used = ProcessCpu.usedSince(cpu0.get(who), cpu1.get(who));
        cpuNanos += used;
        perHop.append(String.format(" %s %.3f", who, used / 1e6 / Math.max(1, phase1Acked)));
      }
      double cpuMsPerOp = cpuNanos / 1e6 / Math.max(1, phase1Acked);
      log(perHop + String.format(" = %.3f in all", cpuMsPerOp));
      StringBuilder jit = new StringBuilder("phase 1 of that, JIT compiler threads (ms per op):");
      for (String who : jit1.keySet()) {
        jit.append(
            String.format(
                " %s %.3f",
                who, Math.max(0, jit1.get(who) - jit0.get(who)) / 1e6 / Math.max(1, phase1Acked)));
      }
      log(jit.toString());
      Histogram prop = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
      for (BenchWriter w : writers) {
        prop.add(w.propagation());
      }
      double opsPerSecond = phase1Acked / phase1Secs;
      log(
          String.format(
              "phase 1: %d acked in %.1f s = %.0f ops/s; propagation p50 %.2f ms p99 %.2f ms"
                  + " p99.9 %.2f ms max %.2f ms (%d samples)",
              phase1Acked,
              phase1Secs,
              opsPerSecond,
              ms(prop.getValueAtPercentile(50)),
              ms(prop.getValueAtPercentile(99)),
              ms(prop.getValueAtPercentile(99.9)),
              ms(prop.getMaxValue()),
              prop.getTotalCount()));

      Map<Integer, Histogram> bySecond = new TreeMap<>();
      for (BenchWriter w : writers) {
        w.propagationBySecond()
            .forEach(
                (k, h) ->
                    bySecond.merge(
                        k,
                        h,
                        (a, b) -> {
                          a.add(b);
                          return a;
                        }));
      }
      StringBuilder timeline = new StringBuilder("phase 1 propagation by second (p50/p99/max ms):");
      bySecond.forEach(
          (k, h) ->
              timeline.append(
                  String.format(
                      " %d:%.0f/%.0f/%.0f",
                      k,
                      ms(h.getValueAtPercentile(50)),
                      ms(h.getValueAtPercentile(99)),
                      ms(h.getMaxValue()))));
      log(timeline.toString());
      for (ClusterNodeProcess n : nodes) {
        log(n.replica + " " + metrics(n.port));
      }

      // ---- phase 2: the same load, n3 killed halfway, its writer moves to n1
      log("phase 2: same load; kill -9 n3 after " + seconds / 2 + " s");
      Thread.sleep(seconds * 500L);
      ClusterNodeProcess victim = nodes.get(2);
      victim.kill();
      log("n3 killed (SIGKILL)");
      BenchWriter moved = writers.get(2);
      await(() -> !moved.live(), 10, "n3's client notices");
      moved.moveTo(nodes.get(0).port, nodes.get(0).replica);
      await(moved::live, 30, "n3's client resumes on n1");
      moved.run(rate / 3, false);
      Thread.sleep(seconds * 500L);
      for (BenchWriter w : writers) {
        w.pause();
      }
      Thread.sleep(2000); // let in-flight batches be acked

      // ---- verdict
      List<ClusterNodeProcess> survivors = nodes.subList(0, 2);
      boolean converged = true;
      try {
        await(
            () -> {
              Set<String> hashes = new HashSet<>();
              for (ClusterNodeProcess n : survivors) {
                hashes.add(read(n.port, session, reader).path("stateHash").asText());
              }
              return hashes.size() == 1;
            },
            30,
            "survivors converge");
      } catch (IllegalStateException e) {
        converged = false;
      }
      log(SessionSizes.of(storeUrl, session, survivors.stream().map(n -> n.port).toList(), reader));
      long lost = 0;
      long sentTotal = 0;
      long ackedTotal = 0;
      JsonNode doc = read(survivors.get(0).port, session, reader).path("doc").path("bench");
      for (BenchWriter w : writers) {
        long have = doc.path("w" + w.index).asLong();
        lost += Math.max(0, w.acked - have);
        sentTotal += w.sentCount;
        ackedTotal += w.acked;
        log(
            String.format(
                "writer %d: sent %d, acked %d, errors %d, counter on n1 %d",
                w.index, w.sentCount, w.acked, w.errors, have));
      }
      System.out.printf(
          "RESULT nodes=3 ops=%d acked=%d lost=%d converged=%s p50_ms=%.2f p99_ms=%.2f"
              + " ops_per_s=%.0f cpu_ms_per_op=%.3f%n",
          sentTotal,
          ackedTotal,
          lost,
          converged,
          ms(prop.getValueAtPercentile(50)),
          ms(prop.getValueAtPercentile(99)),
          opsPerSecond,
          cpuMsPerOp);
      return lost == 0 && converged;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // the nodes are stopped all the same: a close that timed out once left two of them running
        log("closing the writers failed: " + e);
      }
      for (ClusterNodeProcess n : nodes) {
        n.stop();
      }
      pg.close();
    }
  }

  /** The node's ack and commit latency quantiles and counts, from /metrics. */
  private static String metrics(int port) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      StringBuilder sb = new StringBuilder();
      for (String line : r.body().split("\n")) {
        if (!line.startsWith("#")
            && (line.startsWith("chorus_batch_latency_seconds")
                || line.startsWith("chorus_store_commit_seconds")
                || line.startsWith("chorus_store_write_seconds")
                || line.startsWith("chorus_catchup"))
            && !line.contains("_max")) {
          sb.append(line.replace("chorus_", "")).append("; ");
        }
      }
      return sb.toString();
    } catch (Exception e) {
      return "(no metrics: " + e + ")";
    }
  }

  /**
   * CPU time so far of every process the cluster runs on, by name: the three nodes, PostgreSQL (its
   * server and backends) and this benchmark (the writers and their clients).
   */
  private static Map<String, Map<Long, Long>> cpuByProcess(
      List<ClusterNodeProcess> nodes, Predicate<String> postgres) {
    Map<String, Map<Long, Long>> out = new LinkedHashMap<>();
    for (ClusterNodeProcess n : nodes) {
      ProcessCpu c = ProcessCpu.of(n.pid());
      out.put(n.replica, Map.of(n.pid(), c.totalNanos()));
    }
    out.put("postgres", ProcessCpu.treeNanos(postgres));
    long self = ProcessHandle.current().pid();
    out.put("bench", Map.of(self, ProcessCpu.of(self).totalNanos()));
    return out;
  }

  /**
   * CPU time so far of the JIT compiler threads of the nodes and of this benchmark: the share of
   * {@link #cpuByProcess} that is compiling rather than running the load (a lower bound, see {@link
   * ProcessCpu}); large while the warm-up has not settled the JIT.
   */
  private static Map<String, Long> jitByProcess(List<ClusterNodeProcess> nodes) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (ClusterNodeProcess n : nodes) {
      out.put(n.replica, ProcessCpu.of(n.pid()).compilerNanos());
    }
    out.put("bench", ProcessCpu.of(ProcessHandle.current().pid()).compilerNanos());
    return out;
  }

  private static long totalAcked(List<BenchWriter> ws) {
    return ws.stream().mapToLong(w -> w.acked).sum();
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private static JsonNode read(int port, String session, String token) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/v1/sessions/" + session))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return M.readTree(r.body());
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void await(Check c, int seconds, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      try {
        if (c.ok()) {
          return;
        }
      } catch (Exception e) {
        // not yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("timed out waiting for " + what);
  }

  private static <T> T get(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void log(String s) {
    System.out.println("[cluster-bench] " + s);
  }
}
