package dev.chorus.load.harness.scenario;

import java.util.List;
import java.util.Map;

/**
 * A named workload. It declares its parameters (full and {@code --quick} defaults), the flags a
 * node the harness starts for it gets, and runs against a {@link RunContext}, ending with {@link
 * RunContext#finish} (drain, sync, verify). Every loop in a scenario is bounded in count and time.
 */
public interface Scenario {
  String name();

  /** One line: what it simulates and what it proves. */
  String description();

  /** Parameter defaults of the full run, or of the small, bounded {@code --quick} profile. */
  Map<String, String> defaults(boolean quick);

  /** Extra flags for a node the harness starts for this scenario (limits it wants to hit). */
  default List<String> nodeArgs(Params p) {
    return List.of();
  }

  void run(RunContext ctx) throws Exception;

  /**
   * A one-line {@code RESULT ...} summary of a finished run for scripts (printed last by the
   * harness), or null if the scenario has none.
   */
  default String resultLine(ScenarioResult r) {
    return null;
  }
}
