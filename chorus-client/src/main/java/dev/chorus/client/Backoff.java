package dev.chorus.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Waiting before a retry: full-jitter exponential backoff (by default 0.5 s doubling to 10 s) when
 * the server named no delay, and a server's {@code retryAfterMs} stretched by up to half again, so
 * a fleet told the same delay does not come back in one herd. A client that must come back faster
 * (a test fleet on one machine) or slower picks its own base and cap.
 */
public final class Backoff {
  /** 0.5 s doubling to 10 s. */
  public static final Backoff DEFAULT = new Backoff(500, 10_000);

  private final long baseMs;
  private final long capMs;

  /** Attempt {@code n} waits up to {@code min(capMs, baseMs · 2^n)}. */
  public Backoff(long baseMs, long capMs) {
    if (baseMs < 1 || capMs < baseMs) {
      throw new IllegalArgumentException("need 1 <= baseMs <= capMs");
    }
    this.baseMs = baseMs;
    this.capMs = capMs;
  }

  /** The ceiling of attempt {@code attempt} (0-based): {@code min(cap, base · 2^attempt)}. */
  public long ceiling(int attempt) {
    return Math.min(capMs, baseMs << Math.min(Math.max(0, attempt), 20));
  }

  /** The delay before attempt {@code attempt} (0-based) when the server named none. */
  public long exponential(int attempt) {
    return ThreadLocalRandom.current().nextLong(ceiling(attempt) + 1);
  }

  /** A server-suggested delay, with jitter on top: never earlier than asked. */
  public long after(long retryAfterMs) {
    long base = Math.max(0, retryAfterMs);
    return base + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }
}
