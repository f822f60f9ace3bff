package dev.chorus.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Waiting before a retry: full-jitter exponential backoff (0.5 s doubling to 10 s) when the server
 * named no delay, and a server's {@code retryAfterMs} stretched by up to half again, so a fleet
 * told the same delay does not come back in one herd.
 */
public final class Backoff {
  static final long BASE_MS = 500;
  static final long CAP_MS = 10_000;

  private Backoff() {}

  /** The delay before attempt {@code attempt} (0-based) when the server named none. */
  public static long exponential(int attempt) {
    long ceiling = Math.min(CAP_MS, BASE_MS << Math.min(attempt, 20));
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** A server-suggested delay, with jitter on top: never earlier than asked. */
  public static long after(long retryAfterMs) {
    long base = Math.max(0, retryAfterMs);
    return base + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }
}
