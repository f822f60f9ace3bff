package dev.chorus.server.session;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Token buckets for ops per second, one per key: per actor (one bucket per actor per node, over all
 * its connections and sessions) and per session (all actors together). Burst = 2 s worth of ops.
 * Thread-safe.
 */
public final class RateLimiter {
  private final int perSecond;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param perSecond ops per second per actor; 0 = unlimited
   */
  public RateLimiter(int perSecond) {
    this.perSecond = perSecond;
  }

  /**
   * Takes {@code ops} tokens for {@code actorId}; returns 0 if allowed, else how many ms to wait
   * (with jitter, so a fleet of refused agents does not retry in lock-step).
   */
  public long acquire(String actorId, int ops) {
    if (perSecond <= 0) {
      return 0;
    }
    Bucket b = buckets.computeIfAbsent(actorId, k -> new Bucket(2.0 * perSecond));
    synchronized (b) {
      long now = System.nanoTime();
      double cap = 2.0 * perSecond;
      b.tokens = Math.min(cap, b.tokens + (now - b.lastNanos) / 1e9 * perSecond);
      b.lastNanos = now;
      if (b.tokens >= ops) {
        b.tokens -= ops;
        return 0;
      }
      double missing = ops - b.tokens;
      long wait = (long) Math.ceil(missing * 1000.0 / perSecond);
      return wait + ThreadLocalRandom.current().nextLong(wait / 4 + 1) + 1;
    }
  }

  /** Gives back tokens taken by {@link #acquire} for a batch another limit then refused. */
  public void refund(String key, int ops) {
    if (perSecond <= 0) {
      return;
    }
    Bucket b = buckets.get(key);
    if (b != null) {
      synchronized (b) {
        b.tokens = Math.min(2.0 * perSecond, b.tokens + ops);
      }
    }
  }

  /**
   * {@code baseMs} plus up to 50 % random jitter: what every {@code retryAfterMs} of {@code
   * overloaded} carries, so refused clients do not come back in lock-step.
   */
  public static long jittered(long baseMs) {
    return baseMs + ThreadLocalRandom.current().nextLong(baseMs / 2 + 1);
  }

  private static final class Bucket {
    double tokens;
    long lastNanos = System.nanoTime();

    Bucket(double tokens) {
      this.tokens = tokens;
    }
  }
}
