package dev.chorus.load.harness.capacity;

import dev.chorus.load.harness.auth.JwtMinter;
import dev.chorus.load.harness.node.ServerNode;
import dev.chorus.load.harness.scenario.Params;
import dev.chorus.load.harness.scenario.RunContext;
import dev.chorus.load.harness.scenario.SimClient;
import dev.chorus.load.harness.scenario.Target;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How many idle websocket connections one node holds per GiB of heap ({@code
 * load-tests/bin/capacity idle [connections] [heap]}). Starts a node with a fixed heap ({@code -Xms
 * = -Xmx}), measures its heap after a full GC, opens {@code connections} websockets (each
 * authenticated and joined to one of {@code connections/50} sessions, then silent), checks {@code
 * /health} counts them all, measures the heap after a full GC again, and prints the heap per
 * connection and the connections per GiB it implies, next to the fact that all of them fit in the
 * given heap.
 */
public final class IdleConnections {
  private IdleConnections() {}

  public static void main(String[] args) throws Exception {
    java.util.logging.Logger.getLogger("io.vertx").setLevel(java.util.logging.Level.OFF);
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 15_000;
    String heap = args.length > 1 ? args[1] : "512m";
    int perSession = 50;
    Path work = ServerNode.newWorkDir("idle-");
    String secret = ServerNode.randomSecret();
    try (ServerNode node =
        new ServerNode(
            ServerNode.findJar(null),
            work.resolve("node"),
            secret,
            List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC"),
            List.of())) {
      node.start(Duration.ofSeconds(90));
      Target t = new Target(node.baseUri(), new JwtMinter(secret, 6 * 3600), node);
      try (RunContext ctx = new RunContext("idle", t, new Params(Map.of(), Map.of()), System.err)) {
        int sessions = Math.max(1, (n + perSession - 1) / perSession);
        for (int s = 0; s < sessions; s++) {
          RunContext.get(ctx.rest("idle-" + s).read());
        }
        long base = JvmProbe.heapUsedAfterGc(node.pid());
        long rssBase = JvmProbe.rss(node.pid());
        System.err.printf(
            Locale.ROOT,
            "idle: %d sessions loaded, heap after GC %.1f MiB%n",
            sessions,
            base / 1048576.0);
        long t0 = System.nanoTime();
        int failed = 0;
        for (int i = 0; i < n; i += 500) {
          List<Future<?>> wave = new ArrayList<>();
          for (int j = i; j < Math.min(n, i + 500); j++) {
            String actor = "idle-" + j;
            SimClient c =
                ctx.client(
                    "idle-" + (j % sessions), null, actor, actor, "human", "viewer", false, null);
            wave.add(c.connect());
          }
          failed += RunContext.await(wave, 120_000);
        }
        double connectSeconds = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(2000);
        int held = ctx.health().path("connections").asInt();
        long used = JvmProbe.heapUsedAfterGc(node.pid());
        long rss = JvmProbe.rss(node.pid());
        double perConn = (used - base) / (double) held;
        double perGiB = (1L << 30) / perConn;
        System.out.printf(
            Locale.ROOT,
            "idle connections: %d opened (%d failed) in %.1f s, %d held by the node (/health);"
                + " heap -Xmx%s; heap after full GC %.1f MiB before, %.1f MiB with them"
                + " (%.0f bytes per connection), RSS %.0f -> %.0f MiB%n",
            n,
            failed,
            connectSeconds,
            held,
            heap,
            base / 1048576.0,
            used / 1048576.0,
            perConn,
            rssBase / 1048576.0,
            rss / 1048576.0);
        System.out.printf(
            Locale.ROOT,
            "RESULT idle_connections=%d heap=%s heap_per_connection_bytes=%.0f"
                + " connections_per_gib=%.0f%n",
            held,
            heap,
            perConn,
            perGiB);
      }
    }
  }
}
