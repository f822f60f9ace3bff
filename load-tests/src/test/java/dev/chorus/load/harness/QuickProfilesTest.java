package dev.chorus.load.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.load.harness.node.ServerNode;
import dev.chorus.load.harness.report.ReportWriter;
import dev.chorus.load.harness.scenario.ScenarioResult;
import dev.chorus.load.harness.scenario.ScenarioRunner;
import dev.chorus.load.harness.scenario.Scenarios;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code --quick} profile of every scenario, each against a fresh chorus-server process (built
 * by session-server earlier in the reactor): small and bounded, asserts the verification only
 * (nothing lost, nothing doubled, replicas equal the server, conflicts as implied) — never a
 * timing. The reports land in {@code target/reports/quick/}.
 */
class QuickProfilesTest {
  private static final List<ScenarioResult> RESULTS = new ArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"steady", "hot-field", "herd", "fanout", "churn"})
  @Timeout(180)
  void quickProfileVerifies(String scenario) throws Exception {
    ScenarioRunner.Options o =
        new ScenarioRunner.Options(
            null,
            null,
            ServerNode.findJar(System.getProperty("chorus.server.jar")),
            List.of("-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
            Path.of(System.getProperty("java.io.tmpdir"), "chorus-harness"),
            System.out);
    ScenarioResult r = ScenarioRunner.run(Scenarios.byName(scenario), true, Map.of(), o);
    synchronized (RESULTS) {
      RESULTS.add(r);
    }
    assertTrue(r.verdict().passed(), scenario + ":\n" + r.verdict().failures());
    assertTrue(r.stats().batchesAcked.sum() > 0, scenario + " acked nothing");
  }

  @AfterAll
  static void report() throws Exception {
    ReportWriter.write(Path.of("target/reports/quick"), RESULTS, "mvn verify (QuickProfilesTest)");
  }
}
