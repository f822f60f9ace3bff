package dev.chorus.load.harness.metrics;

import java.util.ArrayList;
import java.util.List;

/** The median of repeated measurements (the CPU-time tools report it over their rounds). */
public final class Median {
  private Median() {}

  /** The middle value, or the mean of the two middle ones; {@code xs} is not changed. */
  public static double of(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
