package dev.chorus.load.harness.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/** A node's {@code GET /metrics} body (Prometheus text format) as sample name → value. */
public final class PrometheusText {
  private PrometheusText() {}

  /** Every sample line, keyed by its name with labels (e.g. {@code x_count}, {@code y{a="b"}}). */
  public static Map<String, Double> samples(String body) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : body.split("\n")) {
      int sp = line.lastIndexOf(' ');
      if (!line.startsWith("#") && sp > 0) {
        try {
          out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1).trim()));
        } catch (NumberFormatException e) {
          // not a sample line
        }
      }
    }
    return out;
  }
}
