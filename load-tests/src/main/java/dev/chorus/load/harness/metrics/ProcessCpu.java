package dev.chorus.load.harness.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * CPU time a server process has used so far, in all, in its JIT compiler threads and in its garbage
 * collector's threads, read from {@code /proc/<pid>/task/*}: a JVM compiles while a benchmark runs,
 * and that cost falls in the measured window unless the warm-up settled it, so the report shows it
 * apart; the collector's part says how much of a write's cost is the garbage it leaves (G1's
 * threads are {@code GC Thread#…} and {@code G1 …}; a Node.js server's V8 collector runs on threads
 * of other names and counts as 0). Compiler threads of a JVM are named {@code C1 CompilerThre…} /
 * {@code C2 CompilerThre…}; other runtimes (Node.js) have none by that name and report 0. A thread
 * that ended between two readings takes its time with it: the compiler part is a lower bound (JDK
 * 17 starts and stops compiler threads as the queue needs).
 *
 * @param totalNanos user + system time of every thread alive at the reading, and of the ended ones
 *     as the kernel counts them for the process
 * @param compilerNanos user + system time of the JIT compiler threads alive at the reading
 * @param gcNanos user + system time of the garbage collector's threads alive at the reading
 */
public record ProcessCpu(long totalNanos, long compilerNanos, long gcNanos) {
  private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

  /** Reads the process's counters now. */
  public static ProcessCpu of(long pid) {
    Path proc = Path.of("/proc", Long.toString(pid));
    long total = ticks(proc.resolve("stat"), 0);
    long compiler = 0;
    long gc = 0;
    try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String name;
        try {
          name = read(t.resolve("comm")).strip();
        } catch (IllegalStateException e) {
          continue; // the thread ended since the listing (a client's event loops closing)
        }
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          compiler += ticks(t.resolve("stat"), 0);
        } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
          gc += ticks(t.resolve("stat"), 0);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the threads of process " + pid, e);
    }
    return new ProcessCpu(total * NANOS_PER_TICK, compiler * NANOS_PER_TICK, gc * NANOS_PER_TICK);
  }

  /** Reads this JVM's own counters now (a harness measuring its clients' side). */
  public static ProcessCpu ofThisProcess() {
    return of(ProcessHandle.current().pid());
  }

  /** What was used from {@code before} to this reading. */
  public ProcessCpu since(ProcessCpu before) {
    return new ProcessCpu(
        totalNanos - before.totalNanos,
        Math.max(0, compilerNanos - before.compilerNanos),
        Math.max(0, gcNanos - before.gcNanos));
  }

  /** utime + stime of a stat line (fields 14 and 15; the name in parentheses may hold spaces). */
  private static long ticks(Path stat, long ifGone) {
    String line;
    try {
      line = read(stat);
    } catch (IllegalStateException e) {
      return ifGone; // the thread ended
    }
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + p, e);
    }
  }

  /**
   * CPU time so far of every process whose command line passes {@code pick} and of all their
   * descendants (a database server and its backends), by pid. {@link #usedSince} turns two readings
   * into what the processes used between them.
   */
  public static Map<Long, Long> treeNanos(Predicate<String> pick) {
    Map<Long, Long> out = new HashMap<>();
    ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(pick::test).orElse(false))
        .forEach(
            root -> {
              read(root.pid(), out);
              root.descendants().forEach(d -> read(d.pid(), out));
            });
    return out;
  }

  /**
   * What the processes of {@code after} used since {@code before}; a process started in between
   * counts whole, one that ended in between is missed (its last interval with it).
   */
  public static long usedSince(Map<Long, Long> before, Map<Long, Long> after) {
    long sum = 0;
    for (Map.Entry<Long, Long> e : after.entrySet()) {
      sum += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
    }
    return sum;
  }

  private static void read(long pid, Map<Long, Long> out) {
    long ticks = ticks(Path.of("/proc", Long.toString(pid), "stat"), -1);
    if (ticks >= 0) {
      out.put(pid, ticks * NANOS_PER_TICK);
    }
  }
}
