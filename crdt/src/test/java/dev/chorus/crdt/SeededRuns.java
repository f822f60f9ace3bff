package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Runs a seeded simulation over many seeds: {@code -Dsim.seeds=N} runs N (default: the caller's),
 * {@code -Dsim.seed=S} runs one. A failure names its seed and prints the run's action log.
 */
final class SeededRuns {
  /** One simulation run; it adds what it does to {@code log}. */
  interface Simulation {
    void run(long seed, List<String> log);
  }

  private SeededRuns() {}

  static void forEachSeed(int defaultSeeds, Simulation simulation) {
    String one = System.getProperty("sim.seed", "");
    String n = System.getProperty("sim.seeds", "");
    long[] seeds =
        !one.isBlank()
            ? new long[] {Long.parseLong(one)}
            : LongStream.range(0, n.isBlank() ? defaultSeeds : Long.parseLong(n)).toArray();
    for (long seed : seeds) {
      List<String> log = new ArrayList<>();
      try {
        simulation.run(seed, log);
      } catch (AssertionError | RuntimeException e) {
        fail(
            "simulation seed "
                + seed
                + " failed (re-run with -Dsim.seed="
                + seed
                + "): "
                + e
                + "\n"
                + String.join("\n", log),
            e);
      }
    }
  }
}
