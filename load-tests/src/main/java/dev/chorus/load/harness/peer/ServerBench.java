package dev.chorus.load.harness.peer;

import dev.chorus.load.harness.auth.JwtMinter;
import dev.chorus.load.harness.metrics.ProcessCpu;
import dev.chorus.load.harness.node.ServerNode;
import dev.chorus.load.harness.scenario.Params;
import dev.chorus.load.harness.scenario.RunContext;
import dev.chorus.load.harness.scenario.Stream;
import dev.chorus.load.harness.scenario.Target;
import dev.chorus.load.harness.verify.Verdict;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side server benchmark ({@code load-tests/bin/server-bench [--quick]}): the same
 * {@link Stream} workloads — one writer/one reader and {@code fanout} (one writer, R readers) —
 * against a Chorus node (durable acks on, as shipped; no per-actor rate limit), against Hocuspocus
 * 3.4.4 and y-websocket, and against the transport floor {@link RelayServer} (a Vert.x websocket
 * relay that does nothing else), one after another on this machine. Each server gets the same
 * warm-up first: rounds of both workloads until the Chorus node's JIT compiler threads use under a
 * tenth of a round's CPU ({@code --warmup-rounds} at most). Chorus's run is verified like any
 * scenario (every write stored once, delivered once to every reader, replicas equal the server).
 *
 * <p>Both sides' CPU per write of each measured run: the server process's ({@code /proc}), and the
 * clients' — the harness JVM's own for Chorus and the relay (their clients run in it; its GC and
 * JIT included), the Node clients process's for the Yjs peers ({@code process.cpuUsage()}), each
 * from before the clients connect until the run's last write was received.
 *
 * <p>Prints a table, writes {@code server-bench.md} to the reports directory, and ends with one
 * {@code RESULT scenario=… chorus_ops_per_s=… peer=… peer_ops_per_s=… chorus_p99_ms=… peer_p99_ms=…
 * lost=… dup=…} line per workload and peer (p99 = send → all readers); the last line is {@code
 * fanout} against Hocuspocus. Exit 1 if anything was lost or doubled.
 */
public final class ServerBench {
  private ServerBench() {}

  /** One workload: a name and its reader count. */
  private record Workload(String name, int readers) {}

  /** The Chorus node's JVM, and the relay floor's: same heap, same collector. */
  private static final List<String> SERVER_JVM = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");

  /** The JIT share of a warm-up round under which the node counts as warmed up. */
  private static final double SETTLED_JIT_SHARE = 0.10;

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    java.util.logging.Logger.getLogger("io.vertx").setLevel(java.util.logging.Level.OFF);
    boolean quick = false;
    String jar = null;
    String node = "node";
    Path peersDir = Path.of("load-tests/peers");
    Path reports = Path.of("load-tests/target/reports");
    List<String> peers = List.of(RelayServer.NAME, "y-websocket", "hocuspocus");
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--quick" -> quick = true;
        case "--server-jar" -> {
          jar = v;
          i++;
        }
        case "--node" -> {
          node = v;
          i++;
        }
        case "--peers-dir" -> {
          peersDir = Path.of(v);
          i++;
        }
        case "--reports" -> {
          reports = Path.of(v);
          i++;
        }
        case "--peers" -> {
          peers = List.of(v.split(","));
          i++;
        }
        case "--ops", "--readers", "--window", "--keys", "--warmup", "--warmup-rounds" -> {
          opts.put(a.substring(2), v);
          i++;
        }
        default -> {
          err.println(
              "usage: server-bench [--quick] [--ops N] [--warmup N] [--warmup-rounds R] [--readers R]"
                  + " [--window W]"
                  + " [--keys K] [--peers hocuspocus,y-websocket] [--server-jar P] [--node BIN]");
          return 2;
        }
      }
    }
    int ops = Integer.parseInt(opts.getOrDefault("ops", quick ? "2000" : "10000"));
    int readers = Integer.parseInt(opts.getOrDefault("readers", quick ? "10" : "50"));
    int window = Integer.parseInt(opts.getOrDefault("window", "64"));
    int keys = Integer.parseInt(opts.getOrDefault("keys", "1000"));
    // Every server streams this many writes per workload and warm-up round before it is measured.
    int warm = Integer.parseInt(opts.getOrDefault("warmup", String.valueOf(quick ? 400 : ops)));
    int maxWarmRounds = Integer.parseInt(opts.getOrDefault("warmup-rounds", quick ? "1" : "6"));
    int warmRounds = 0;
    List<Workload> workloads =
        List.of(new Workload("one-writer-one-reader", 1), new Workload("fanout", readers));
    err.printf(
        Locale.ROOT,
        "server-bench: %d writes per run, window %d, keys %d, fanout readers" + " %d, peers %s%n",
        ops,
        window,
        keys,
        readers,
        peers);

    // Chorus: one node for every Chorus run (warmed up once), verified at the end.
    Map<String, StreamNumbers> chorus = new LinkedHashMap<>();
    Verdict verdict;
    Path work = ServerNode.newWorkDir("server-bench-");
    String secret = ServerNode.randomSecret();
    try (ServerNode n =
        new ServerNode(
            ServerNode.findJar(jar),
            work.resolve("node"),
            secret,
            SERVER_JVM,
            // Both peers drop a document from memory when its last client leaves; a node keeps an
            // unused session loaded for --session-idle-ms (5 min by default), so the finished
            // warm-up sessions would stay in the node's heap and its GC's work while the measured
            // ones run. A second unused is what the peers do, and the node's sweep is per second.
            List.of("--ops-per-second", "0", "--session-idle-ms", "1000"))) {
      n.start(Duration.ofSeconds(90));
      Target t = new Target(n.baseUri(), new JwtMinter(secret, 3600), n);
      try (RunContext ctx =
          new RunContext("server-bench", t, new Params(Map.of(), Map.of()), err)) {
        // Rounds of warm-up until the JIT has settled: its compiler threads under a tenth of the
        // node's CPU for a round. A server runs for days; what is measured is that, not the
        // minutes of compiling after a start (which the report's JIT column would show).
        for (int round = 1; round <= maxWarmRounds; round++) {
          ProcessCpu before = ProcessCpu.of(n.pid());
          for (Workload w : workloads) {
            ctx.progress().phase("warm-" + round + "-" + w.name());
            Stream.run(
                ctx,
                "warm-" + round + "-" + w.name(),
                w.readers(),
                warm,
                window,
                keys,
                300_000,
                false);
          }
          ProcessCpu used = ProcessCpu.of(n.pid()).since(before);
          warmRounds = round;
          double jitShare = used.compilerNanos() / (double) Math.max(1, used.totalNanos());
          err.printf(
              Locale.ROOT,
              "[server-bench chorus] warm-up round %d: JIT %.0f%% of the node's CPU%n",
              round,
              100 * jitShare);
          if (jitShare < SETTLED_JIT_SHARE) {
            break;
          }
        }
        for (Workload w : workloads) {
          ctx.progress().phase(w.name());
          ProcessCpu cpu = ProcessCpu.of(n.pid());
          ProcessCpu clientCpu = ProcessCpu.ofThisProcess();
          Stream.Result r =
              Stream.run(ctx, "bench-" + w.name(), w.readers(), ops, window, keys, 600_000);
          StreamNumbers numbers =
              StreamNumbers.of("chorus", r)
                  .withServerCpu(ProcessCpu.of(n.pid()).since(cpu))
                  .withClientCpu(ProcessCpu.ofThisProcess().since(clientCpu).totalNanos());
          chorus.put(w.name(), numbers);
          logCpu(err, w.name(), numbers);
          ctx.verdict().lost(r.lost());
          ctx.verdict().dup(r.dup());
        }
        ctx.finish(false, 30_000);
        verdict = ctx.verdict();
      }
    }
    if (!verdict.passed()) {
      err.print(verdict.failures());
    }

    // The peers: one server process each, warmed up, same workloads.
    Map<String, Map<String, StreamNumbers>> peerNumbers = new LinkedHashMap<>();
    for (String peer : peers) {
      Map<String, StreamNumbers> m = new LinkedHashMap<>();
      boolean relay = peer.equals(RelayServer.NAME);
      try (PeerServer s =
          relay ? PeerServer.relay(SERVER_JVM) : PeerServer.node(node, peersDir, peer)) {
        // the same warm-up as the Chorus node got (V8 settles sooner; a JVM would not, alone)
        for (int round = 0; round <= warmRounds; round++) {
          boolean measured = round == warmRounds;
          for (Workload w : workloads) {
            String run = (measured ? "bench-" : "warm-" + (round + 1) + "-") + w.name();
            int n = measured ? ops : warm;
            err.println("[server-bench " + peer + "] " + run);
            ProcessCpu cpu = ProcessCpu.of(s.pid());
            ProcessCpu harnessCpu = ProcessCpu.ofThisProcess();
            // the relay's clients run in this JVM; the Node peers' clients report their own CPU
            StreamNumbers numbers =
                relay
                    ? StreamNumbers.of(
                            peer,
                            RelayStream.run(s.port(), run, w.readers(), n, window, keys, 600_000))
                        .withClientCpu(ProcessCpu.ofThisProcess().since(harnessCpu).totalNanos())
                    : PeerStream.run(
                        node, peersDir, peer, s.port(), run, w.readers(), n, window, keys);
            if (measured) {
              numbers = numbers.withServerCpu(ProcessCpu.of(s.pid()).since(cpu));
              m.put(w.name(), numbers);
              logCpu(err, w.name(), numbers);
            }
          }
        }
      }
      peerNumbers.put(peer, m);
    }

    // Report.
    StringBuilder md = new StringBuilder();
    md.append(
        "| workload | server | readers | writes | writes/s | server CPU µs/write"
            + " | of it JIT µs/write | of it GC µs/write"
            + " | client CPU µs/write"
            + " | send→reader p50 ms"
            + " | send→reader p99 ms | send→all p50 ms | send→all p99 ms | lost | dup |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Workload w : workloads) {
      row(md, w.name(), chorus.get(w.name()));
      for (String peer : peers) {
        row(md, w.name(), peerNumbers.get(peer).get(w.name()));
      }
    }
    out.print(md);
    Files.createDirectories(reports);
    String command = "load-tests/bin/server-bench " + String.join(" ", args);
    Files.writeString(
        reports.resolve("server-bench.md"),
        "# Server benchmark: Chorus vs peers\n\nRun with `"
            + command
            + "`: "
            + ops
            + " writes per run, window "
            + window
            + ", "
            + keys
            + " keys; Chorus with durable"
            + " acks (the store's write before every ack), "
            + warmRounds
            + " warm-up round(s) of "
            + warm
            + " writes per workload for every server, verification "
            + (verdict.passed() ? "passed" : "FAILED")
            + ".\n\n"
            + md,
        StandardCharsets.UTF_8);
    List<String> results = new ArrayList<>();
    boolean clean = verdict.passed();
    for (Workload w : workloads) {
      for (String peer : peers) {
        StreamNumbers c = chorus.get(w.name());
        StreamNumbers p = peerNumbers.get(peer).get(w.name());
        long lost = c.lost() + p.lost() + verdict.lost();
        long dup = c.dup() + p.dup() + verdict.dup();
        clean &= lost == 0 && dup == 0;
        results.add(
            String.format(
                Locale.ROOT,
                "RESULT scenario=%s chorus_ops_per_s=%.0f peer=%s peer_ops_per_s=%.0f"
                    + " chorus_p99_ms=%.2f peer_p99_ms=%.2f lost=%d dup=%d"
                    + " chorus_cpu_us_per_write=%.0f peer_cpu_us_per_write=%.0f",
                w.name().equals("fanout") ? "fanout" : "one-writer-one-reader",
                c.opsPerSecond(),
                peer,
                p.opsPerSecond(),
                c.allP99(),
                p.allP99(),
                lost,
                dup,
                c.serverCpuMicrosPerWrite(),
                p.serverCpuMicrosPerWrite()));
      }
    }
    results.forEach(out::println);
    return clean ? 0 : 1;
  }

  /** Both sides' CPU per write of a measured run, as it ends (the table comes at the end). */
  private static void logCpu(PrintStream err, String workload, StreamNumbers n) {
    err.printf(
        Locale.ROOT,
        "[server-bench %s] %s: %.0f writes/s, server CPU %.0f µs/write (JIT %.0f, GC %.0f),"
            + " client CPU %.0f µs/write%n",
        n.server(),
        workload,
        n.opsPerSecond(),
        n.serverCpuMicrosPerWrite(),
        n.jitMicrosPerWrite(),
        n.gcMicrosPerWrite(),
        n.clientCpuMicrosPerWrite());
  }

  private static void row(StringBuilder md, String workload, StreamNumbers n) {
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %s | %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %d | %d |%n",
            workload,
            n.server(),
            n.readers(),
            n.ops(),
            n.opsPerSecond(),
            n.serverCpuMicrosPerWrite(),
            n.jitMicrosPerWrite(),
            n.gcMicrosPerWrite(),
            n.clientCpuMicrosPerWrite(),
            n.readerP50(),
            n.readerP99(),
            n.allP50(),
            n.allP99(),
            n.lost(),
            n.dup()));
  }
}
