// One trace's benchmark outcome: each engine's timing, Chorus's snapshot size and retained heap.
package dev.chorus.load.trace;

import java.util.List;
import java.util.Locale;

/**
 * What {@link TraceBench} measured on one trace. {@link #resultLine()} is the machine-readable
 * summary line that tools and the acceptance check read; its field names and order are
 * fixed. Sizes are -1 and the heap NaN when Chorus was not run. {@code chorus_bytes} on the RESULT
 * line is {@code chorusCompactedBytes}: the snapshot a server stores once the document is causally
 * stable (one replica that has seen everything: all of it), as Yjs and Loro store theirs without
 * history; the snapshot with the full history ({@code chorusBytes}) is shown in the table.
 */
public record TraceBenchResult(
    String trace,
    int ops,
    List<EngineTiming> timings,
    long chorusBytes,
    long chorusCompactedBytes,
    double chorusHeapMb) {
  /** The engines of a RESULT line, in its order. */
  public static final List<String> ENGINES = List.of("chorus", "yjs", "loro", "automerge");

  public TraceBenchResult {
    timings = List.copyOf(timings);
  }

  /** True when every engine that ran verified the final text on every replay. */
  public boolean ok() {
    return !timings.isEmpty() && timings.stream().allMatch(EngineTiming::ok);
  }

  /** The timing of an engine, or null if it was not run. */
  public EngineTiming timing(String engine) {
    return timings.stream().filter(t -> t.engine().equals(engine)).findFirst().orElse(null);
  }

  /**
   * {@code RESULT trace=<name> ops=<n> ok=<bool> chorus_ms=.. yjs_ms=.. loro_ms=.. automerge_ms=..
   * chorus_bytes=.. chorus_heap_mb=..}; an engine not run or without times shows {@code n/a}.
   */
  public String resultLine() {
    StringBuilder line = new StringBuilder("RESULT trace=").append(trace);
    line.append(" ops=").append(ops).append(" ok=").append(ok());
    for (String engine : ENGINES) {
      EngineTiming timing = timing(engine);
      line.append(' ').append(engine).append("_ms=");
      line.append(timing == null ? "n/a" : formatMs(timing.medianMs()));
    }
    line.append(" chorus_bytes=")
        .append(chorusCompactedBytes < 0 ? "n/a" : Long.toString(chorusCompactedBytes));
    line.append(" chorus_heap_mb=")
        .append(Double.isNaN(chorusHeapMb) ? "n/a" : format1(chorusHeapMb));
    return line.toString();
  }

  static String formatMs(double ms) {
    return Double.isNaN(ms) ? "n/a" : format1(ms);
  }

  private static String format1(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }
}
