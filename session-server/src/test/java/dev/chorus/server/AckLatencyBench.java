package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick local measurement (not a test; run by hand): ack latency of sequential one-op batches,
 * and throughput of pipelined writers with one reader, on one in-JVM node (embedded SQLite store,
 * every ack after its commit). {@code java -cp <test classpath> dev.chorus.server.AckLatencyBench}.
 */
public final class AckLatencyBench {
  private static final ObjectMapper M = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int writers = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    try (TestServer node = TestServer.start("--ops-per-second", "0")) {
      Vertx vertx = Vertx.vertx();
      String s = "bench";
      // 1. sequential latency
      WsConn one = WsConn.open(vertx, node, s, node.agent("seq", s));
      String v = one.welcomeVersion;
      long[] lat = new long[3000];
      for (int i = 0; i < lat.length; i++) {
        long t0 = System.nanoTime();
        v =
            one.sendAndWait(
                "seq-" + i,
                v,
                "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"x" + i + "\"}}]");
        lat[i] = System.nanoTime() - t0;
      }
      long[] warm = Arrays.copyOfRange(lat, 1000, lat.length);
      Arrays.sort(warm);
      System.out.printf(
          "sequential one-op batches over one websocket: ack latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)%n",
          warm[warm.length / 2] / 1e6,
          warm[(int) (warm.length * 0.99)] / 1e6,
          warm[warm.length - 1] / 1e6,
          warm.length);

      // 2. throughput: writers pipeline `window` batches each, a reader counts change frames
      WsConn reader = WsConn.open(vertx, node, s, node.human("reader", s));
      AtomicLong changes = new AtomicLong();
      reader.ws.textMessageHandler(
          t -> {
            if (t.startsWith("{\"type\":\"change\"")) {
              changes.incrementAndGet();
            }
          });
      WsConn[] w = new WsConn[writers];
      for (int i = 0; i < writers; i++) {
        w[i] = WsConn.open(vertx, node, s, node.agent("w" + i, s));
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      AtomicLong acked = new AtomicLong();
      CountDownLatch done = new CountDownLatch(writers);
      long t0 = System.nanoTime();
      for (int i = 0; i < writers; i++) {
        w[i].pump(i, window, end, acked, done);
      }
      done.await(seconds + 30, TimeUnit.SECONDS);
      double secs = (System.nanoTime() - t0) / 1e9;
      long total = acked.get();
      long before = System.nanoTime();
      while (changes.get() < total && System.nanoTime() - before < TimeUnit.SECONDS.toNanos(10)) {
        Thread.onSpinWait();
      }
      System.out.printf(
          "%d writers x %d in flight, one-op batches: %d acked in %.1f s = %.0f ops/s; reader got %d change frames%n",
          writers, window, total, secs, total / secs, changes.get());
      System.out.println(node.server.config().describe());
      for (String line : Rest.get(node.base() + "/metrics", null).body().asText().split("\n")) {
        if (line.startsWith("chorus_store_commit") || line.startsWith("chorus_batch_latency")) {
          System.out.println(line);
        }
      }
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
    System.exit(0);
  }

  static final class WsConn {
    WebSocket ws;
    io.vertx.core.http.WebSocketClient client; // held: an unreferenced client is closed by GC
    String welcomeVersion;
    volatile CompletableFuture<JsonNode> waiting;

    static WsConn open(Vertx vertx, TestServer node, String s, String token) throws Exception {
      WsConn c = new WsConn();
      CompletableFuture<String> welcome = new CompletableFuture<>();
      c.client = vertx.createWebSocketClient();
      c.ws =
          c.client
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(node.port())
                      .setURI("/v1/sessions/" + s + "/ws")
                      .addHeader("Authorization", "Bearer " + token))
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      c.ws.textMessageHandler(
          t -> {
            try {
              JsonNode f = M.readTree(t);
              if (f.path("type").asText().equals("welcome")) {
                welcome.complete(f.path("version").asText());
              } else if (c.waiting != null
                  && (f.path("type").asText().equals("ack")
                      || f.path("type").asText().equals("error"))) {
                c.waiting.complete(f);
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
      c.ws.writeTextMessage("{\"type\":\"hello\",\"clientId\":\"bench\"}");
      c.welcomeVersion = welcome.get(10, TimeUnit.SECONDS);
      return c;
    }

    String sendAndWait(String id, String basedOn, String ops) throws Exception {
      waiting = new CompletableFuture<>();
      ws.writeTextMessage(
          "{\"type\":\"batch\",\"batchId\":\""
              + id
              + "\",\"basedOn\":\""
              + basedOn
              + "\",\"ops\":"
              + ops
              + "}");
      JsonNode r;
      try {
        r = waiting.get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("no ack for " + id, e);
      }
      if (!r.path("type").asText().equals("ack")) {
        throw new IllegalStateException(r.toString());
      }
      return r.path("version").asText();
    }

    void pump(int writer, int window, long end, AtomicLong acked, CountDownLatch done) {
      AtomicLong sent = new AtomicLong();
      AtomicLong mine = new AtomicLong();
      Runnable[] next = new Runnable[1];
      next[0] =
          () -> {
            long n = sent.incrementAndGet();
            ws.writeTextMessage(
                "{\"type\":\"batch\",\"batchId\":\"w"
                    + writer
                    + "-"
                    + n
                    + "\",\"basedOn\":\""
                    + welcomeVersion
                    + "\",\"ops\":[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"w"
                    + writer
                    + "-"
                    + n
                    + "\"}]}");
          };
      ws.textMessageHandler(
          t -> {
            if (t.startsWith("{\"batchId\"")
                || t.contains("\"type\":\"ack\"")
                || t.contains("\"type\":\"error\"")) {
              acked.incrementAndGet();
              long m = mine.incrementAndGet();
              if (System.nanoTime() < end) {
                next[0].run();
              } else if (m == sent.get()) {
                done.countDown();
              }
            }
          });
      for (int i = 0; i < window; i++) {
        next[0].run();
      }
    }
  }
}
