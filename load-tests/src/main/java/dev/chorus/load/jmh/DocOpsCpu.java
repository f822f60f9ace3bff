// The DocOpsBenchmark operations timed by thread CPU time and allocation instead of wall time.
package dev.chorus.load.jmh;

import com.sun.management.ThreadMXBean;
import dev.chorus.load.harness.metrics.Median;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Runs each {@link DocOpsBenchmark} operation on a fresh board (its own setup), {@code ops} times
 * per round, and prints the median over the rounds of the thread's CPU time and bytes allocated per
 * op. On a machine shared with other builds, wall time (what JMH reports) measures the neighbours
 * as much as the code; CPU time mostly does not. The first rounds are warm-up. Usage: {@code java
 * -cp ... dev.chorus.load.jmh.DocOpsCpu [ops per round, 20000] [rounds, 8] [warm-up rounds, 3]}.
 */
public final class DocOpsCpu {
  static final Map<String, Consumer<DocOpsBenchmark>> BENCHMARKS =
      Map.of(
          "registerSet", DocOpsBenchmark::registerSet,
          "mapSet", DocOpsBenchmark::mapSet,
          "listInsert", DocOpsBenchmark::listInsert,
          "listMoveWithinList", DocOpsBenchmark::listMoveWithinList,
          "listMoveBetweenLists", DocOpsBenchmark::listMoveBetweenLists);

  private DocOpsCpu() {}

  public static void main(String[] args) {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    for (String name : new TreeSet<>(BENCHMARKS.keySet())) {
      List<Double> cpuUs = new ArrayList<>();
      List<Double> bytes = new ArrayList<>();
      for (int round = 0; round < warmups + rounds; round++) {
        long[] used = round(name, ops);
        if (round >= warmups) {
          cpuUs.add(used[0] / 1e3 / ops);
          bytes.add((double) used[1] / ops);
        }
      }
      System.out.printf(
          "%-22s cpu_us_per_op=%.2f alloc_bytes_per_op=%.0f%n",
          name, Median.of(cpuUs), Median.of(bytes));
    }
  }

  /**
   * One round: operation {@code name} {@code ops} times on a fresh board; returns the thread's CPU
   * nanoseconds and bytes allocated (the board's setup not counted). Public for {@link
   * PairedDocOpsCpu}, which calls it in each crdt build's class loader.
   */
  public static long[] round(String name, int ops) {
    Consumer<DocOpsBenchmark> op = BENCHMARKS.get(name);
    if (op == null) {
      throw new IllegalArgumentException("no operation " + name + " in " + BENCHMARKS.keySet());
    }
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    DocOpsBenchmark b = new DocOpsBenchmark();
    b.listSize = 1000;
    b.keys = 100;
    b.buildDocument();
    long cpu = threads.getCurrentThreadCpuTime();
    long allocated = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < ops; i++) {
      op.accept(b);
    }
    return new long[] {
      threads.getCurrentThreadCpuTime() - cpu, threads.getCurrentThreadAllocatedBytes() - allocated
    };
  }
}
