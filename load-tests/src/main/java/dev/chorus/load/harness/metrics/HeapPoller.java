package dev.chorus.load.harness.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls a node's {@code GET /metrics} every {@code periodMs} on a daemon thread and keeps the
 * largest heap in use it saw: the sum of {@code jvm_memory_used_bytes{area="heap",...}} over the
 * heap pools (Micrometer's {@code JvmMemoryMetrics}). Garbage not yet collected counts: this is the
 * heap the node actually occupied, as G1 let it grow, not its live set.
 */
public final class HeapPoller implements AutoCloseable {
  private final URI metrics;
  private final long periodMs;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final AtomicLong maxBytes = new AtomicLong(-1);
  private final AtomicLong samples = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;
  private volatile boolean stop;

  public HeapPoller(URI base, long periodMs) {
    this.metrics = base.resolve("/metrics");
    this.periodMs = periodMs;
    this.thread = new Thread(this::loop, "heap-poller");
    thread.setDaemon(true);
  }

  public HeapPoller start() {
    thread.start();
    return this;
  }

  private void loop() {
    while (!stop) {
      pollOnce();
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One reading (also usable without the thread); returns the heap in use or -1. */
  public long pollOnce() {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      long used = r.statusCode() == 200 ? heapUsed(r.body()) : -1;
      if (used < 0) {
        failures.incrementAndGet();
        return -1;
      }
      samples.incrementAndGet();
      maxBytes.accumulateAndGet(used, Math::max);
      return used;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      failures.incrementAndGet();
      return -1;
    }
  }

  /** Sum of {@code jvm_memory_used_bytes} over {@code area="heap"} in a Prometheus text body. */
  static long heapUsed(String body) {
    long sum = 0;
    boolean any = false;
    for (Map.Entry<String, Double> e : PrometheusText.samples(body).entrySet()) {
      if (e.getKey().startsWith("jvm_memory_used_bytes{") && e.getKey().contains("area=\"heap\"")) {
        sum += e.getValue().longValue();
        any = true;
      }
    }
    return any ? sum : -1;
  }

  /** The largest heap in use seen so far, in bytes (-1 if no reading succeeded). */
  public long maxBytes() {
    return maxBytes.get();
  }

  public long samples() {
    return samples.get();
  }

  public long failures() {
    return failures.get();
  }

  @Override
  public void close() {
    stop = true;
    thread.interrupt();
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
