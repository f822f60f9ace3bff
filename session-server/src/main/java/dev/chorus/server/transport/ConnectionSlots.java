package dev.chorus.server.transport;

import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.RateLimiter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's open connections and their limit ({@code --max-connections}): a websocket and an event
 * stream each hold a socket, a participant and a write queue, so each takes a slot from the moment
 * it is asked for until it closes. Past the limit a new one is refused with {@code overloaded}
 * (503, {@code retryAfterMs}) instead of timing out.
 */
public final class ConnectionSlots {
  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  /** {@code max} 0: unlimited. */
  public ConnectionSlots(int max) {
    this.max = max;
  }

  /** A slot held by one connection; released once, however often its closing is reported. */
  public final class Slot {
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot() {}

    public void release() {
      if (released.compareAndSet(false, true)) {
        open.decrementAndGet();
      }
    }
  }

  /** Takes a slot, or answers null when the node holds its maximum (refuse with {@link #full}). */
  public Slot take() {
    while (true) {
      int n = open.get();
      if (max > 0 && n >= max) {
        return null;
      }
      if (open.compareAndSet(n, n + 1)) {
        return new Slot();
      }
    }
  }

  /** Connections open now (also those still being authorized or upgraded). */
  public int open() {
    return open.get();
  }

  /** The refusal of a connection past the limit: a clear, retryable {@code overloaded}. */
  public ChorusException full() {
    return new ChorusException(
        ErrorCode.OVERLOADED,
        "node holds its maximum of " + max + " connections; retry later",
        Values.NODES.objectNode().put("retryAfterMs", RateLimiter.jittered(1000)));
  }
}
