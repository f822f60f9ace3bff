package dev.chorus.load.harness.metrics;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The progress line of a running scenario: once a second it closes a {@link Sample} and prints
 * {@code [name 12s] ops/s=… acked=… p99(ack)=…ms clients=… errors=…} to stderr (a new line each
 * second, so logs keep the history). Stops with {@link #close()}.
 */
public final class Progress implements AutoCloseable {
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "harness-progress");
            t.setDaemon(true);
            return t;
          });
  private final String name;
  private final LoadStats stats;
  private final IntSupplier connected;
  private final PrintStream out;
  private volatile String phase = "run";
  private boolean closed;

  public Progress(String name, LoadStats stats, IntSupplier connected, PrintStream out) {
    this.name = name;
    this.stats = stats;
    this.connected = connected;
    this.out = out;
    ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  public void phase(String phase) {
    this.phase = phase;
  }

  private void tick() {
    try {
      Sample s = stats.sample(connected.getAsInt());
      out.printf(
          Locale.ROOT,
          "[%s %s %3ds] ops/s=%d batches/s=%d acked=%d p99(ack)=%.1fms p99(delivery)=%.1fms"
              + " clients=%d errors=%d retries=%d reconnects=%d%n",
          name,
          phase,
          s.second(),
          s.opsAcked(),
          s.batchesAcked(),
          stats.batchesAcked.sum(),
          s.ackP99Ms(),
          s.deliveryP99Ms(),
          s.connected(),
          stats.errorCount(),
          stats.retries.sum(),
          stats.reconnects.sum());
    } catch (RuntimeException e) {
      out.println("[" + name + "] progress failed: " + e);
    }
  }

  /** Stops the ticker and closes a last sample so the totals include everything. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stats.sample(connected.getAsInt());
  }
}
