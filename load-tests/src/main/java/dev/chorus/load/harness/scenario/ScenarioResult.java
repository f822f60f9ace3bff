package dev.chorus.load.harness.scenario;

import dev.chorus.load.harness.metrics.LoadStats;
import dev.chorus.load.harness.verify.Verdict;
import java.util.List;
import java.util.Map;

/** A finished run: its parameters, measurements, verification and notes. */
public record ScenarioResult(
    String scenario,
    String description,
    Map<String, String> params,
    String target,
    LoadStats stats,
    double loadSeconds,
    Verdict verdict,
    List<String> notes,
    Stream.Result stream) {

  /** Acked ops per second over the load phase (for one-writer runs: the stream's rate). */
  public double opsPerSecond() {
    if (stream != null) {
      return stream.opsPerSecond();
    }
    return loadSeconds <= 0 ? 0 : stats.opsAcked.sum() / loadSeconds;
  }
}
