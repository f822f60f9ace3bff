package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The durability promise: kill -9 the server process in the middle of a write burst, restart it on
 * the same data dir: every acked batch is there exactly once, and re-sending every batch (acked or
 * not) applies the unacked ones once and acks the acked ones as duplicates.
 */
class CrashRecoveryIT {
  private Vertx clients;
  private Process process;

  @BeforeEach
  void setUp() {
    clients = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Process startNode(Path dataDir, int port, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    for (String flag :
        ("--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED"
                + " --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED"
                + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED")
            .split(" ")) {
      cmd.add(flag);
    }
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(
        List.of(
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString(),
            "--jwt-secret",
            TestServer.SECRET,
            "--replica-id",
            "n1",
            "--hazelcast",
            "false",
            "--snapshot-every",
            "50"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Process p = pb.start();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              assertTrue(p.isAlive(), "server process died: " + Files.readString(log));
              return Rest.get("http://127.0.0.1:" + port + "/health", null).status() == 200;
            });
    return p;
  }

  @Test
  void kill9DuringAWriteBurst_everyAckedBatchSurvivesExactlyOnce() throws Exception {
    Path dataDir = TestServer.newDataDir();
    int port = freePort();
    String s = "crash";
    Path log1 = dataDir.resolve("node-1.log");
    process = startNode(dataDir, port, log1);
    String token = tokenFor(s);

    // a write burst: 400 one-insert batches pipelined without waiting for acks
    Map<String, String> sent = new HashMap<>();
    List<String> order = new ArrayList<>();
    String base;
    WsClient c = WsClient.joined(clients, port, s, token);
    base = c.welcome().path("version").asText();
    for (int i = 0; i < 400; i++) {
      String id = "burst-" + i;
      String ops =
          "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"" + id + "\"}]";
      sent.put(id, ops);
      try {
        c.batch(id, base, false, ops);
      } catch (RuntimeException e) {
        // the connection died with the process: the rest is re-sent after the restart
      }
      order.add(id);
      if (i == 150) {
        // once some acks are in, kill the process mid-burst
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> c.ofType("ack").size() >= 50);
        process.destroyForcibly(); // SIGKILL
      }
    }
    process.waitFor(20, TimeUnit.SECONDS);
    Set<String> acked = new HashSet<>();
    for (JsonNode a : c.ofType("ack")) {
      acked.add(a.path("batchId").asText());
    }
    c.close();
    assertTrue(acked.size() >= 50, "acks before the kill: " + acked.size());
    System.out.println(
        "CrashRecoveryIT: " + acked.size() + " batches acked before kill -9, 400 sent or to send");

    process = startNode(dataDir, port, dataDir.resolve("node-2.log"));
    JsonNode doc = Rest.get("http://127.0.0.1:" + port + "/v1/sessions/" + s, token).body();
    Map<String, Integer> count = new HashMap<>();
    for (JsonNode step : doc.path("doc").path("plan")) {
      count.merge(step.path("value").asText(), 1, Integer::sum);
    }
    for (String id : acked) {
      assertEquals(1, count.getOrDefault(id, 0), "acked batch " + id + " after restart");
    }
    count.values().forEach(n -> assertEquals(1, n, "no batch twice"));

    // the client re-sends everything: acked ones are duplicates, the rest is applied once
    WsClient again = WsClient.joined(clients, port, s, token);
    for (String id : order) {
      again.batch(id, base, false, sent.get(id));
    }
    for (String id : order) {
      JsonNode r = again.reply(id);
      assertEquals("ack", r.path("type").asText(), r.toString());
      if (acked.contains(id)) {
        assertTrue(r.path("duplicate").asBoolean(), id + " was acked before the crash");
      }
    }
    again.close();
    JsonNode after = Rest.get("http://127.0.0.1:" + port + "/v1/sessions/" + s, token).body();
    assertEquals(order.size(), after.path("doc").path("plan").size());
    process.destroy(); // SIGTERM: graceful
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "graceful stop");
    assertTrue(Files.readString(dataDir.resolve("node-2.log")).contains("stopped"));
  }

  private static String tokenFor(String s) throws Exception {
    return Jwt.hs256(
        TestServer.SECRET,
        Jwt.claims("burster", "agent", s, "editor", System.currentTimeMillis() / 1000 + 3600));
  }
}
