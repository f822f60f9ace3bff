// The replay times of one engine on one trace, and whether every replay produced the right text.
package dev.chorus.load.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measured replay times (milliseconds, warm-ups excluded) of one engine on one trace. {@code ok} is
 * true only if every replay, warm-ups included, ended at the trace's end content; an engine that
 * could not run at all has no times and is not ok.
 */
public record EngineTiming(String engine, List<Double> runsMs, boolean ok) {
  public EngineTiming {
    runsMs = List.copyOf(runsMs);
  }

  /** An engine that failed to run or to report; its reason went to stderr. */
  public static EngineTiming failed(String engine) {
    return new EngineTiming(engine, List.of(), false);
  }

  /** Median of the measured runs, or NaN when there were none. */
  public double medianMs() {
    if (runsMs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(runsMs);
    Collections.sort(sorted);
    int mid = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
  }
}
