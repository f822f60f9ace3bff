package dev.chorus.load.harness.report;

import dev.chorus.load.harness.metrics.LoadStats;
import dev.chorus.load.harness.metrics.Sample;
import dev.chorus.load.harness.scenario.ScenarioResult;
import dev.chorus.load.harness.verify.Check;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Writes {@code report.md} (headline table, then per scenario: parameters, latency percentiles,
 * counters, errors by code, every verification check, throughput over time) and one {@code
 * <scenario>.svg} chart per scenario into the reports directory.
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** The headline table (also printed at the end of a run and copied into docs/benchmarks.md). */
  public static String headline(List<ScenarioResult> results) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| scenario | acked ops/s | batches | ack p50 ms | ack p99 ms | delivery p99 ms"
            + " | errors (retried/refused) | lost | dup | verified |\n");
    b.append("|---|---:|---:|---:|---:|---:|---|---:|---:|---|\n");
    for (ScenarioResult r : results) {
      LoadStats s = r.stats();
      Histogram a = s.ackHistogram();
      Histogram d = r.stream() != null ? r.stream().perReader() : s.deliveryHistogram();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %.0f | %d | %s | %s | %s | %s | %d | %d | %s |%n",
              r.scenario(),
              r.opsPerSecond(),
              s.batchesAcked.sum(),
              ms(a, 50),
              ms(a, 99),
              ms(d, 99),
              s.retries.sum() + "/" + s.rejected.sum(),
              r.verdict().lost(),
              r.verdict().dup(),
              r.verdict().passed() ? "yes" : "**NO**"));
    }
    return b.toString();
  }

  public static Path write(Path dir, List<ScenarioResult> results, String command)
      throws IOException {
    Files.createDirectories(dir);
    StringBuilder b = new StringBuilder();
    b.append("# Chorus load harness report\n\n");
    b.append("Run ").append(Instant.now()).append(" with `").append(command).append("`.\n\n");
    b.append(headline(results)).append('\n');
    b.append(
        "Latencies: *ack* = batch sent → its ack (includes the durable commit); *delivery* ="
            + " batch sent by one client → its `change` frame received by another (one JVM, one"
            + " clock). Throughput is acked ops over the load phase.\n\n");
    for (ScenarioResult r : results) {
      section(b, r);
      Files.writeString(
          dir.resolve(r.scenario() + ".svg"),
          SvgChart.render(r.scenario() + ": acked ops/s and p99 ack latency", r.stats().timeline()),
          StandardCharsets.UTF_8);
    }
    Path md = dir.resolve("report.md");
    Files.writeString(md, b.toString(), StandardCharsets.UTF_8);
    return md;
  }

  private static void section(StringBuilder b, ScenarioResult r) {
    LoadStats s = r.stats();
    b.append("## ").append(r.scenario()).append("\n\n").append(r.description()).append(".\n\n");
    b.append("Target: ").append(r.target()).append(". Parameters: ");
    r.params().forEach((k, v) -> b.append('`').append(k).append('=').append(v).append("` "));
    b.append("\n\n");
    for (String n : r.notes()) {
      b.append("- ").append(n).append('\n');
    }
    b.append('\n');
    b.append(
        "| latency (ms) | count | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
    row(b, "ack", s.ackHistogram());
    row(b, "delivery", s.deliveryHistogram());
    if (r.stream() != null) {
      row(b, "send → one reader", r.stream().perReader());
      row(b, "send → all readers", r.stream().allReaders());
    }
    for (Map.Entry<String, Histogram> e : s.extraHistograms().entrySet()) {
      row(b, e.getKey(), e.getValue());
    }
    b.append('\n');
    b.append(
        String.format(
            Locale.ROOT,
            "Load phase %.1f s: %d batches sent, %d acked (%d ops, %d duplicate acks), %d refused,"
                + " %d retries, %d connects (%d reconnects, %d resumed welcomes, %d failed connects),"
                + " %d conflict frames.%n%n",
            r.loadSeconds(),
            s.batchesSent.sum(),
            s.batchesAcked.sum(),
            s.opsAcked.sum(),
            s.duplicateAcks.sum(),
            s.rejected.sum(),
            s.retries.sum(),
            s.connects.sum(),
            s.reconnects.sum(),
            s.resumed.sum(),
            s.connectFailures.sum(),
            s.conflictEvents.sum()));
    if (!s.errors().isEmpty()) {
      b.append("Errors by code: ");
      s.errors().forEach((k, v) -> b.append('`').append(k).append("` ").append(v).append("  "));
      b.append("\n\n");
    }
    b.append("Verification: **")
        .append(r.verdict().passed() ? "passed" : "FAILED")
        .append("** (lost ")
        .append(r.verdict().lost())
        .append(", duplicated ")
        .append(r.verdict().dup())
        .append(")\n\n");
    for (Check c : r.verdict().checks()) {
      b.append("- ")
          .append(c.ok() ? "✔ " : "✘ ")
          .append(c.name())
          .append(": ")
          .append(c.detail())
          .append('\n');
    }
    for (String f : r.verdict().findings()) {
      b.append("- ⚠ finding: ").append(f).append('\n');
    }
    if (!r.verdict().facts().isEmpty()) {
      b.append("\nFacts: ");
      r.verdict().facts().forEach((k, v) -> b.append(k).append(" = ").append(v).append("; "));
      b.append('\n');
    }
    b.append("\n![").append(r.scenario()).append("](").append(r.scenario()).append(".svg)\n\n");
    b.append("<details><summary>throughput over time</summary>\n\n");
    b.append(
        "| s | acked ops | batches | ack p50 ms | ack p99 ms | deliveries | delivery p99 ms"
            + " | errors | clients |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Sample x : s.timeline()) {
      b.append(
          String.format(
              Locale.ROOT,
              "| %d | %d | %d | %s | %s | %d | %s | %d | %d |%n",
              x.second(),
              x.opsAcked(),
              x.batchesAcked(),
              f(x.ackP50Ms()),
              f(x.ackP99Ms()),
              x.deliveries(),
              f(x.deliveryP99Ms()),
              x.errors(),
              x.connected()));
    }
    b.append("\n</details>\n\n");
  }

  private static void row(StringBuilder b, String name, Histogram h) {
    b.append(
        String.format(
            Locale.ROOT,
            "| %s | %d | %s | %s | %s | %s | %s |%n",
            name,
            h.getTotalCount(),
            ms(h, 50),
            ms(h, 90),
            ms(h, 99),
            ms(h, 99.9),
            h.getTotalCount() == 0 ? "–" : f(h.getMaxValue() / 1000.0)));
  }

  static String ms(Histogram h, double p) {
    return f(LoadStats.ms(h, p));
  }

  static String f(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return v < 10 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
