package dev.chorus.load.harness.report;

import dev.chorus.load.harness.metrics.Sample;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG of one run over time: acked ops per second as bars (left axis) and the p99
 * ack latency of each second as a line (right axis, ms). No dependencies, readable in any browser
 * or Markdown viewer.
 */
public final class SvgChart {
  private static final int W = 760;
  private static final int H = 300;
  private static final int L = 60;
  private static final int R = 60;
  private static final int T = 36;
  private static final int B = 40;

  private SvgChart() {}

  public static String render(String title, List<Sample> samples) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n",
            W,
            H,
            W,
            H));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
            L,
            esc(title)));
    int pw = W - L - R;
    int ph = H - T - B;
    int n = Math.max(1, samples.size());
    double maxOps = 1;
    double maxP99 = 0.001;
    for (Sample x : samples) {
      maxOps = Math.max(maxOps, x.opsAcked());
      if (!Double.isNaN(x.ackP99Ms())) {
        maxP99 = Math.max(maxP99, x.ackP99Ms());
      }
    }
    maxOps = nice(maxOps);
    maxP99 = nice(maxP99);
    // axes and grid
    for (int g = 0; g <= 4; g++) {
      double y = T + ph - ph * g / 4.0;
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
              L,
              y,
              L + pw,
              y));
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#2a6ebb\">%s</text>%n",
              L - 6,
              y + 4,
              fmt(maxOps * g / 4)));
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" fill=\"#c0392b\">%s</text>%n",
              L + pw + 6,
              y + 4,
              fmt(maxP99 * g / 4)));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"12\" y=\"%d\" fill=\"#2a6ebb\" transform=\"rotate(-90 12 %d)\""
                + " text-anchor=\"middle\">acked ops/s</text>%n",
            T + ph / 2,
            T + ph / 2));
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" fill=\"#c0392b\" transform=\"rotate(90 %d %d)\""
                + " text-anchor=\"middle\">p99 ack latency (ms)</text>%n",
            W - 12,
            T + ph / 2,
            W - 12,
            T + ph / 2));
    double bw = pw / (double) n;
    for (int i = 0; i < samples.size(); i++) {
      Sample x = samples.get(i);
      double h = ph * x.opsAcked() / maxOps;
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#7fb3e6\"/>%n",
              L + i * bw + bw * 0.1,
              T + ph - h,
              Math.max(0.5, bw * 0.8),
              h));
    }
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < samples.size(); i++) {
      double v = samples.get(i).ackP99Ms();
      if (Double.isNaN(v)) {
        continue;
      }
      line.append(
          String.format(
              Locale.ROOT,
              "%.1f,%.1f ",
              L + i * bw + bw / 2,
              T + ph - ph * Math.min(1, v / maxP99)));
    }
    if (line.length() > 0) {
      s.append("<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"")
          .append(line.toString().trim())
          .append("\"/>\n");
    }
    int step = Math.max(1, n / 10);
    for (int i = 0; i < samples.size(); i += step) {
      s.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%ds</text>%n",
              L + i * bw + bw / 2,
              T + ph + 16,
              samples.get(i).second()));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time since start</text>%n",
            L + pw / 2,
            H - 6));
    s.append("</svg>\n");
    return s.toString();
  }

  private static double nice(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String fmt(double v) {
    return v >= 100 || v == Math.rint(v)
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2g", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
