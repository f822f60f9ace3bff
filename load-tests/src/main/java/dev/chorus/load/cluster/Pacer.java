package dev.chorus.load.cluster;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * One timer that paces every writer of the benchmark: each tick lets every writer send what its
 * rate allows since the last. A timer per writer woke the bench's event loop three times per period
 * instead of once; on this machine a wake-up costs ≈ 0.1 ms of CPU, and 600 of them a second were
 * 70 ms of CPU a second with no load at all — 0.14 ms per op at 500 ops/s, part of the {@code
 * cpu_ms_per_op} the benchmark reports (docs/benchmarks.md, "Issue 15: CPU per op at 500 ops/s").
 * The writers share the pacer's context, so a tick sends without a hop.
 */
final class Pacer {
  /** How often the writers send: a writer at r batches/s sends r × 5 ms per tick. */
  static final long PERIOD_MS = 5;

  private final Vertx vertx;
  private final Context context;
  private final List<BenchWriter> writers;
  private long timer = -1;

  /** Paces {@code writers}, which were made on {@code context}. */
  Pacer(Vertx vertx, Context context, List<BenchWriter> writers) {
    this.vertx = vertx;
    this.context = context;
    this.writers = List.copyOf(writers);
  }

  /** Starts ticking (writers send only between their {@code run} and {@code pause}). */
  void start() {
    context.runOnContext(
        v -> {
          if (timer < 0) {
            timer = vertx.setPeriodic(PERIOD_MS, t -> writers.forEach(BenchWriter::tick));
          }
        });
  }
}
