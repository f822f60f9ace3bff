package dev.chorus.load.harness.scenario;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Runs an action on a client's context at Poisson-distributed intervals of mean {@code 1/rate}
 * seconds (people and agents do not act in lockstep), until the deadline passes, the action has run
 * {@code maxRuns} times, or {@link #stop()} is called. The action returns false to skip a turn
 * (e.g. too many batches in flight); a skipped turn does not count.
 */
public final class Pacer {
  private final Vertx vertx;
  private final Context ctx;
  private final double ratePerSecond;
  private final long deadlineNanos;
  private final int maxRuns;
  private final BooleanSupplier action;
  private volatile boolean stopped;
  private volatile int runs;

  public Pacer(
      Vertx vertx,
      Context ctx,
      double ratePerSecond,
      long deadlineNanos,
      int maxRuns,
      BooleanSupplier action) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.ratePerSecond = ratePerSecond;
    this.deadlineNanos = deadlineNanos;
    this.maxRuns = maxRuns;
    this.action = action;
  }

  /** Starts after a random initial delay (so clients are spread over one interval). */
  public Pacer start() {
    ctx.runOnContext(v -> schedule());
    return this;
  }

  public void stop() {
    stopped = true;
  }

  public int runs() {
    return runs;
  }

  private void schedule() {
    double u = ThreadLocalRandom.current().nextDouble();
    long delayMs = Math.max(1, Math.round(-Math.log(1 - u) / ratePerSecond * 1000));
    vertx.setTimer(delayMs, t -> tick());
  }

  private void tick() {
    if (stopped || runs >= maxRuns || System.nanoTime() > deadlineNanos) {
      stopped = true;
      return;
    }
    try {
      if (action.getAsBoolean()) {
        runs++;
      }
    } catch (RuntimeException e) {
      // one bad turn must not end the client: the run's checks show what went wrong
    }
    schedule();
  }
}
