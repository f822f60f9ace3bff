package dev.chorus.load.harness.scenario;

import dev.chorus.load.harness.auth.JwtMinter;
import dev.chorus.load.harness.auth.TokenSource;
import dev.chorus.load.harness.node.ServerNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one scenario end to end: starts a fresh node for it (own port, own temp data dir, a random
 * JWT secret, the scenario's flags, no compaction) unless a {@code --url} target is given, runs it,
 * verifies, stops the node and deletes its data (its log stays next to the reports).
 */
public final class ScenarioRunner {
  /** Where and how to run. {@code url} null = start a node from {@code serverJar}. */
  public record Options(
      URI url,
      TokenSource urlTokens,
      Path serverJar,
      List<String> nodeJvmArgs,
      Path workDir,
      PrintStream out) {}

  private ScenarioRunner() {}

  public static ScenarioResult run(
      Scenario scenario, boolean quick, Map<String, String> overrides, Options o) throws Exception {
    Params params = new Params(scenario.defaults(quick), overrides);
    ServerNode node = null;
    Target target;
    Path data = null;
    if (o.url() != null) {
      target = new Target(o.url(), o.urlTokens(), null);
    } else {
      Files.createDirectories(o.workDir());
      data = Files.createTempDirectory(o.workDir(), scenario.name() + "-");
      String secret = ServerNode.randomSecret();
      List<String> flags = new ArrayList<>(scenario.nodeArgs(params));
      // the verifier reads every session's history from its start: the node must not compact it
      flags.addAll(List.of("--compact-lag-ms", "-1"));
      node = new ServerNode(o.serverJar(), data.resolve("node"), secret, o.nodeJvmArgs(), flags);
      o.out()
          .println(
              "["
                  + scenario.name()
                  + "] starting chorus-server on 127.0.0.1:"
                  + node.port()
                  + " "
                  + String.join(" ", flags));
      node.start(Duration.ofSeconds(90));
      target = new Target(node.baseUri(), new JwtMinter(secret, 6 * 3600), node);
    }
    try (RunContext ctx = new RunContext(scenario.name(), target, params, o.out())) {
      scenario.run(ctx);
      ctx.loadDone();
      ctx.progress().close();
      return new ScenarioResult(
          scenario.name(),
          scenario.description(),
          params.used(),
          o.url() != null
              ? o.url().toString()
              : "own node " + target.base() + " " + String.join(" ", scenario.nodeArgs(params)),
          ctx.stats(),
          ctx.runSeconds(),
          ctx.verdict(),
          List.copyOf(ctx.notes()),
          ctx.stream());
    } finally {
      if (node != null) {
        node.close();
      }
      if (data != null) {
        deleteQuietly(data.resolve("node"));
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // leftovers in target/ are harmless
    }
  }
}
