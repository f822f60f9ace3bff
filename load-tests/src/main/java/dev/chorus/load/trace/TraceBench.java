// Text trace benchmark: Chorus in this JVM against Yjs, Loro and Automerge in Node processes.
package dev.chorus.load.trace;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.codec.SnapshotCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The text trace benchmark behind {@code load-tests/bin/trace-bench}. For each sequential trace:
 * Chorus warm-ups, then timed runs (median reported); the encoded snapshot size and the heap
 * retained by the replayed document after GC; then each peer engine in its own Node process with
 * the same warm-ups and runs. Every replay of every engine verifies the final text. Prints progress
 * to stderr, a human table to stdout and, as the last stdout lines, one {@link
 * TraceBenchResult#resultLine() RESULT line} per trace.
 *
 * <p>Usage: {@code TraceBench [--warmups N] [--runs N] [--engines chorus,yjs,loro,automerge]
 * [--peers DIR] [--node BIN] [TRACE...]} (default trace: automerge-paper; traces are the bundled
 * ones).
 */
public final class TraceBench {
  private int warmups = 2;
  private int runs = 3;
  private List<String> engines = TraceBenchResult.ENGINES;
  private Path peersDir = Path.of("load-tests", "peers");
  private String nodeBinary = "node";
  private final List<String> traces = new ArrayList<>();

  public static void main(String[] args) throws IOException {
    TraceBench bench = new TraceBench();
    bench.parseArgs(args);
    List<TraceBenchResult> results = new ArrayList<>();
    for (String trace : bench.traces) {
      results.add(bench.benchmark(trace));
    }
    printTable(System.out, results);
    for (TraceBenchResult result : results) {
      System.out.println(result.resultLine());
    }
  }

  private void parseArgs(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--warmups" -> warmups = Integer.parseInt(value(args, ++i, arg));
        case "--runs" -> runs = Integer.parseInt(value(args, ++i, arg));
        case "--engines" -> engines = Arrays.asList(value(args, ++i, arg).split(","));
        case "--peers" -> peersDir = Path.of(value(args, ++i, arg));
        case "--node" -> nodeBinary = value(args, ++i, arg);
        default -> {
          if (arg.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + arg);
          }
          traces.add(arg);
        }
      }
    }
    if (traces.isEmpty()) {
      traces.add("automerge-paper");
    }
    if (runs < 1 || warmups < 0) {
      throw new IllegalArgumentException("need --runs >= 1 and --warmups >= 0");
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private TraceBenchResult benchmark(String name) throws IOException {
    EditingTrace trace = EditingTrace.load(name);
    if (trace.concurrent()) {
      // The peers replay one local history; a concurrent trace is checked by TraceReplayTest
      // instead.
      throw new IllegalArgumentException(
          name + " is a concurrent trace; trace-bench replays sequential traces only");
    }
    List<EngineTiming> timings = new ArrayList<>();
    long bytes = -1;
    long compactedBytes = -1;
    double heapMb = Double.NaN;
    if (engines.contains("chorus")) {
      progress("%s: chorus, %d warm-ups + %d runs", name, warmups, runs);
      ChorusMeasurement chorus = measureChorus(trace);
      timings.add(chorus.timing);
      bytes = chorus.snapshotBytes;
      compactedBytes = chorus.compactedSnapshotBytes;
      heapMb = chorus.retainedHeapMb;
    }
    Path traceFile = extractForNode(name);
    try {
      NodePeer node = new NodePeer(nodeBinary, peersDir);
      for (String engine : NodePeer.ENGINES) {
        if (engines.contains(engine)) {
          progress("%s: %s, %d warm-ups + %d runs", name, engine, warmups, runs);
          timings.add(node.run(engine, traceFile, warmups, runs));
        }
      }
    } finally {
      Files.deleteIfExists(traceFile);
    }
    return new TraceBenchResult(name, trace.patchCount(), timings, bytes, compactedBytes, heapMb);
  }

  private record ChorusMeasurement(
      EngineTiming timing,
      long snapshotBytes,
      long compactedSnapshotBytes,
      double retainedHeapMb) {}

  private ChorusMeasurement measureChorus(EditingTrace trace) {
    boolean ok = true;
    for (int i = 0; i < warmups; i++) {
      ok &= verified(trace, TraceReplay.replay(trace));
    }
    // Baseline with the trace loaded but no replayed document alive; warm-up documents are garbage
    // now.
    long baseline = usedHeapAfterGc();
    List<Double> ms = new ArrayList<>();
    Doc doc = null;
    for (int i = 0; i < runs; i++) {
      doc = null; // the previous run's document must not be alive during the next run
      long start = System.nanoTime();
      doc = TraceReplay.replay(trace);
      ms.add((System.nanoTime() - start) / 1e6);
      ok &= verified(trace, doc);
    }
    double retainedMb = (usedHeapAfterGc() - baseline) / (1024.0 * 1024.0);
    Reference.reachabilityFence(doc); // the measurement above is of a live document
    long bytes = SnapshotCodec.encode(doc).length;
    // One replica has seen everything, so all of it is causally stable: what a server could shrink
    // it to.
    doc.compact(doc.version());
    long compactedBytes = SnapshotCodec.encode(doc).length;
    return new ChorusMeasurement(
        new EngineTiming("chorus", ms, ok), bytes, compactedBytes, retainedMb);
  }

  private static boolean verified(EditingTrace trace, Doc doc) {
    String text = TraceReplay.text(doc);
    if (!trace.endContent().equals(text)) {
      System.err.printf(
          "chorus: %s replay ended with %d chars, expected %d (first difference at %d)%n",
          trace.name(),
          text == null ? -1 : text.length(),
          trace.endContent().length(),
          text == null ? 0 : Arrays.mismatch(text.toCharArray(), trace.endContent().toCharArray()));
      return false;
    }
    return true;
  }

  /**
   * Heap in use once garbage is collected; the minimum of a few full GCs, as one may leave floating
   * garbage.
   */
  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Node reads a file; copy the bundled trace (a classpath resource) to a temporary one. */
  private static Path extractForNode(String name) throws IOException {
    Path file = Files.createTempFile("chorus-trace-" + name + "-", ".json.gz");
    try (InputStream in = TraceBench.class.getResourceAsStream("/traces/" + name + ".json.gz")) {
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  private static void printTable(PrintStream out, List<TraceBenchResult> results) {
    out.println();
    out.printf(
        "%-16s %8s  %-10s %10s  %-32s %s%n",
        "trace", "ops", "engine", "median ms", "runs ms", "ok");
    for (TraceBenchResult result : results) {
      for (EngineTiming timing : result.timings()) {
        out.printf(
            "%-16s %8d  %-10s %10s  %-32s %s%n",
            result.trace(),
            result.ops(),
            timing.engine(),
            TraceBenchResult.formatMs(timing.medianMs()),
            runsList(timing.runsMs()),
            timing.ok());
      }
      out.printf(
          "%-16s chorus snapshot %s bytes (%s after compacting all history), retained heap %s MB%n",
          result.trace(),
          result.chorusBytes() < 0 ? "n/a" : Long.toString(result.chorusBytes()),
          result.chorusCompactedBytes() < 0 ? "n/a" : Long.toString(result.chorusCompactedBytes()),
          Double.isNaN(result.chorusHeapMb())
              ? "n/a"
              : String.format(Locale.ROOT, "%.1f", result.chorusHeapMb()));
    }
    out.println();
  }

  private static String runsList(List<Double> runsMs) {
    List<String> parts = new ArrayList<>();
    for (double ms : runsMs) {
      parts.add(TraceBenchResult.formatMs(ms));
    }
    return String.join(" ", parts);
  }

  private static void progress(String format, Object... args) {
    System.err.printf(Locale.ROOT, format + "%n", args);
  }
}
