// The Chorus trace replay timed by thread CPU time and allocation instead of wall time.
package dev.chorus.load.trace;

import com.sun.management.ThreadMXBean;
import dev.chorus.load.harness.metrics.Median;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Replays each named trace through {@link TraceReplay#replay} {@code warmups + rounds} times and
 * prints the median over the measured rounds of the replaying thread's CPU time and bytes allocated
 * per replay. On a machine shared with other builds, wall time (what {@code trace-bench} reports)
 * measures the neighbours and the collector's pauses as much as the edit path; CPU time and
 * allocation of the replaying thread mostly do not. Usage: {@code java -cp ...
 * dev.chorus.load.trace.TraceReplayCpu [rounds, 7] [warm-up rounds, 2] [TRACE...]} (default:
 * automerge-paper seph-blog1).
 */
public final class TraceReplayCpu {
  private TraceReplayCpu() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    List<String> names =
        args.length > 2
            ? List.of(args).subList(2, args.length)
            : List.of("automerge-paper", "seph-blog1");
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (String name : names) {
      EditingTrace trace = EditingTrace.load(name);
      List<Double> cpuMs = new ArrayList<>();
      List<Double> allocatedMb = new ArrayList<>();
      boolean ok = true;
      for (int round = 0; round < warmups + rounds; round++) {
        long cpu = threads.getCurrentThreadCpuTime();
        long allocated = threads.getCurrentThreadAllocatedBytes();
        String text = TraceReplay.text(TraceReplay.replay(trace));
        if (round >= warmups) {
          cpuMs.add((threads.getCurrentThreadCpuTime() - cpu) / 1e6);
          allocatedMb.add((threads.getCurrentThreadAllocatedBytes() - allocated) / 1e6);
        }
        ok &= trace.endContent().equals(text);
      }
      System.out.printf(
          "RESULT trace=%s ok=%s cpu_ms=%.1f alloc_mb=%.1f%n",
          name, ok, Median.of(cpuMs), Median.of(allocatedMb));
    }
  }
}
