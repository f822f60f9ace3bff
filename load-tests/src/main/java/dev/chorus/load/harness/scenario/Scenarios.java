package dev.chorus.load.harness.scenario;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The named scenarios, in the order {@code all} runs them. */
public final class Scenarios {
  private Scenarios() {}

  public static Map<String, Scenario> all() {
    Map<String, Scenario> m = new LinkedHashMap<>();
    for (Scenario s :
        List.of(
            new SteadyScenario(),
            new HotFieldScenario(),
            new HerdScenario(),
            new FanoutScenario(),
            new ChurnScenario())) {
      m.put(s.name(), s);
    }
    return m;
  }

  public static Scenario byName(String name) {
    Scenario s = all().get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "no scenario " + name + " (known: " + String.join(", ", all().keySet()) + ")");
    }
    return s;
  }
}
