package dev.chorus.load.harness.scenario;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A scenario's parameters ({@code clients=40 sessions=4 rate=2 duration=30 ...}): defaults of the
 * chosen profile (full or {@code --quick}), overridden by {@code --set name=value} on the command
 * line. Every value read is remembered, so the report lists exactly what the run used.
 */
public final class Params {
  private final Map<String, String> values = new LinkedHashMap<>();
  private final Map<String, String> used = new TreeMap<>();

  public Params(Map<String, String> defaults, Map<String, String> overrides) {
    values.putAll(defaults);
    values.putAll(overrides);
  }

  public int i(String name) {
    return Integer.parseInt(s(name));
  }

  public long l(String name) {
    return Long.parseLong(s(name));
  }

  public double d(String name) {
    return Double.parseDouble(s(name));
  }

  public boolean b(String name) {
    return Boolean.parseBoolean(s(name));
  }

  public String s(String name) {
    String v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("parameter " + name + " has no value");
    }
    used.put(name, v);
    return v;
  }

  /** The parameters read so far, sorted (for the report). */
  public Map<String, String> used() {
    return Map.copyOf(used);
  }

  /** Everything known, for {@code --help}. */
  public Map<String, String> all() {
    return new TreeMap<>(values);
  }
}
