// The trace replay of several crdt builds in one JVM, interleaved, timed by thread CPU time.
package dev.chorus.load.trace;

import com.sun.management.ThreadMXBean;
import dev.chorus.load.harness.metrics.PairedBuilds;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

/**
 * Replays one trace through several builds of the crdt module, each loaded from its own jar in its
 * own class loader, one replay of each build per round in rotating order ({@link PairedBuilds}),
 * and prints per build the median of the replaying thread's CPU time and the median of its
 * per-round ratio to the first build.
 *
 * <p>Why: on a machine shared with other builds, before/after runs in separate JVMs minutes apart
 * measure the neighbours — one build's medians spread by 1.5× over an hour. Interleaved in one JVM,
 * both builds see the same load and the same heap, and the per-round ratio cancels what they share:
 * differences of 2–3 % repeat from run to run. Usage: {@code java -Xms3g -Xmx3g -cp <load-tests
 * runtime class path> dev.chorus.load.trace.PairedReplayCpu ROUNDS WARMUPS TRACE CRDT_JAR...} (the
 * class path's own crdt jar or classes are replaced by each {@code CRDT_JAR}).
 */
public final class PairedReplayCpu {
  private PairedReplayCpu() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    int warmups = Integer.parseInt(args[1]);
    String traceName = args[2];
    List<String> jars = List.of(args).subList(3, args.length);
    int n = jars.size();
    Method[] replay = new Method[n];
    Object[] trace = new Object[n];
    for (int j = 0; j < n; j++) {
      ClassLoader loader = PairedBuilds.loaderWith(jars.get(j));
      Class<?> traceClass = loader.loadClass(EditingTrace.class.getName());
      trace[j] = traceClass.getMethod("load", String.class).invoke(null, traceName);
      replay[j] = loader.loadClass(TraceReplay.class.getName()).getMethod("replay", traceClass);
    }
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    double[][] cpuMs =
        PairedBuilds.rounds(
            n,
            warmups,
            rounds,
            1,
            j -> {
              long cpu = threads.getCurrentThreadCpuTime();
              replay[j].invoke(null, trace[j]);
              return new double[] {(threads.getCurrentThreadCpuTime() - cpu) / 1e6};
            })[0];
    for (int j = 0; j < n; j++) {
      System.out.printf(
          "RESULT trace=%s build=%s cpu_ms=%.1f min_ms=%.1f ratio_to_first=%.3f%n",
          traceName,
          PairedBuilds.name(jars.get(j)),
          PairedBuilds.median(cpuMs[j]),
          Arrays.stream(cpuMs[j]).min().orElse(0),
          PairedBuilds.medianRatio(cpuMs, j));
    }
  }
}
