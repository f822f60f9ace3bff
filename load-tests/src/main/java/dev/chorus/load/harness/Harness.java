package dev.chorus.load.harness;

import dev.chorus.load.harness.auth.DemoTokens;
import dev.chorus.load.harness.auth.JwtMinter;
import dev.chorus.load.harness.auth.TokenSource;
import dev.chorus.load.harness.node.ServerNode;
import dev.chorus.load.harness.report.ReportWriter;
import dev.chorus.load.harness.scenario.Scenario;
import dev.chorus.load.harness.scenario.ScenarioResult;
import dev.chorus.load.harness.scenario.ScenarioRunner;
import dev.chorus.load.harness.scenario.Scenarios;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The harness command line ({@code load-tests/bin/harness}):
 *
 * <pre>
 * harness [steady|hot-field|herd|fanout|churn|all ...] [--quick] [--set name=value ...]
 *         [--url http://127.0.0.1:8080 (--jwt-secret S | --demo-tokens)] [--server-jar PATH]
 *         [--node-heap 1g] [--reports DIR]
 * </pre>
 *
 * Runs each scenario (on a fresh node it starts, unless {@code --url}), prints a progress line
 * every second and the headline table at the end, writes the Markdown report and SVG charts, and
 * exits 1 if any verification failed (0 if all passed, 2 on bad usage).
 */
public final class Harness {
  /** Held so the setting sticks: Vert.x logs every connection reset a fault scenario causes. */
  private static final java.util.logging.Logger VERTX_LOG =
      java.util.logging.Logger.getLogger("io.vertx");

  private Harness() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    VERTX_LOG.setLevel(java.util.logging.Level.OFF);
    List<String> names = new ArrayList<>();
    Map<String, String> overrides = new LinkedHashMap<>();
    boolean quick = false;
    String url = null;
    String secret = null;
    boolean demoTokens = false;
    String jar = null;
    String heap = "1g";
    Path reports = Path.of("load-tests/target/reports");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--quick" -> quick = true;
        case "--set" -> {
          int eq = v == null ? -1 : v.indexOf('=');
          if (eq <= 0) {
            err.println("--set wants name=value");
            return 2;
          }
          overrides.put(v.substring(0, eq), v.substring(eq + 1));
          i++;
        }
        case "--url" -> {
          url = v;
          i++;
        }
        case "--jwt-secret" -> {
          secret = v;
          i++;
        }
        case "--demo-tokens" -> demoTokens = true;
        case "--server-jar" -> {
          jar = v;
          i++;
        }
        case "--node-heap" -> {
          heap = v;
          i++;
        }
        case "--reports" -> {
          reports = Path.of(v);
          i++;
        }
        case "-h", "--help" -> {
          usage(out);
          return 0;
        }
        default -> {
          if (a.startsWith("--")) {
            err.println("unknown option " + a);
            usage(err);
            return 2;
          }
          names.add(a);
        }
      }
    }
    if (names.isEmpty() || names.contains("all")) {
      names = new ArrayList<>(Scenarios.all().keySet());
    }
    URI target = null;
    TokenSource tokens = null;
    Path serverJar = null;
    if (url != null) {
      target = URI.create(url);
      if (!"127.0.0.1".equals(target.getHost())
          && !"localhost".equals(target.getHost())
          && !"[::1]".equals(target.getHost())) {
        err.println("--url must be a loopback address (127.0.0.1, localhost, [::1])");
        return 2;
      }
      if (secret != null) {
        tokens = new JwtMinter(secret, 6 * 3600);
      } else if (demoTokens) {
        tokens = new DemoTokens(target);
      } else {
        err.println("--url needs --jwt-secret (the node's key) or --demo-tokens (a --demo node)");
        return 2;
      }
    } else {
      serverJar = ServerNode.findJar(jar);
    }
    Path work = Path.of(System.getProperty("java.io.tmpdir"), "chorus-harness");
    ScenarioRunner.Options o =
        new ScenarioRunner.Options(
            target,
            tokens,
            serverJar,
            List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC"),
            work,
            err);
    List<ScenarioResult> results = new ArrayList<>();
    List<String> resultLines = new ArrayList<>();
    for (String n : names) {
      Scenario s = Scenarios.byName(n);
      err.println("== " + s.name() + (quick ? " (quick)" : "") + ": " + s.description());
      ScenarioResult r = ScenarioRunner.run(s, quick, overrides, o);
      results.add(r);
      err.println("== " + s.name() + ": " + (r.verdict().passed() ? "verified" : "FAILED"));
      if (!r.verdict().passed()) {
        err.print(r.verdict().failures());
      }
      r.verdict().findings().forEach(f -> err.println("finding: " + f));
      String line = s.resultLine(r);
      if (line != null) {
        resultLines.add(line);
      }
    }
    Path md = ReportWriter.write(reports, results, "harness " + String.join(" ", args));
    out.print(ReportWriter.headline(results));
    out.println("report: " + md.toAbsolutePath());
    boolean ok = results.stream().allMatch(r -> r.verdict().passed());
    out.println(ok ? "VERIFIED: every scenario passed" : "FAILED: see the report");
    resultLines.forEach(out::println); // last, for scripts (load-tests/bin/herd)
    return ok ? 0 : 1;
  }

  private static void usage(PrintStream p) {
    p.println(
        "usage: harness [SCENARIO ...|all] [--quick] [--set name=value ...] [--url URL"
            + " (--jwt-secret S | --demo-tokens)] [--server-jar PATH] [--node-heap 1g]"
            + " [--reports DIR]");
    for (Scenario s : Scenarios.all().values()) {
      p.println("  " + s.name() + ": " + s.description());
      p.println("      full:  " + s.defaults(false));
      p.println("      quick: " + s.defaults(true));
    }
  }
}
