package dev.chorus.load.harness.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential backoff ("full jitter" above a floor): attempt {@code n} waits a random time
 * in {@code [d/2, d]} with {@code d = min(cap, base · 2^n)}, and never less than what the server
 * asked for ({@code retryAfterMs} of {@code rate_limited}, {@code overloaded}, {@code
 * shutting_down}), to which a random extra of up to 50% is added so a fleet does not come back in
 * step.
 */
public final class Backoff {
  private final long baseMs;
  private final long capMs;

  public Backoff(long baseMs, long capMs) {
    this.baseMs = baseMs;
    this.capMs = capMs;
  }

  /** Delay before retry number {@code attempt} (0-based), honouring the server's hint if > 0. */
  public long delayMs(int attempt, long retryAfterMs) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long d = Math.min(capMs, baseMs << Math.min(20, Math.max(0, attempt)));
    long own = d / 2 + r.nextLong(d / 2 + 1);
    if (retryAfterMs > 0) {
      long hinted = retryAfterMs + r.nextLong(retryAfterMs / 2 + 1);
      return Math.max(hinted, attempt > 0 ? own : 0);
    }
    return own;
  }
}
