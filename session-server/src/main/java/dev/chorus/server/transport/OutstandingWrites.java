package dev.chorus.server.transport;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The frames handed to one client's socket (websocket or event stream) and not yet written out, for
 * the slow-consumer limit ({@code --max-write-queue-frames}).
 *
 * <p>A socket writes its frames in order and completes their futures in order, so learning that one
 * frame was written says every frame before it was too. Only every {@link #every}-th frame is
 * listened to: a listener runs as a task on the caller's context, which is the session's, another
 * thread than the socket's — one per frame was a thread hop for every ack and change frame. The
 * count can thus be up to {@code every - 1} frames too high, never too low: a client is cut at most
 * that many frames early, never late. {@code every} is 1 (every frame listened, the count exact)
 * under a limit of 64 frames and at most {@link #MAX_EVERY} ({@code 16 / 4,096} at the default).
 *
 * <p>Thread-safe.
 */
public final class OutstandingWrites {
  static final int MAX_EVERY = 16;

  private final int limit;
  private final int every;
  private long handed;
  // the highest frame known written (frames are numbered from 1 in the order they were handed)
  private final AtomicLong written = new AtomicLong();

  public OutstandingWrites(int limit) {
    this.limit = limit;
    this.every = Math.max(1, Math.min(MAX_EVERY, limit / 64));
  }

  /**
   * Writes a frame unless that puts the client past the limit, and learns from the write's future
   * when (some of) it is done. Numbering and writing under one lock keeps the numbers in the
   * socket's order when two threads write (an error from the connection's context while the session
   * sends). False if past the limit: nothing was written, the client is a slow consumer.
   */
  public synchronized boolean write(Supplier<Future<Void>> write) {
    long n = handed + 1;
    if (n - written.get() > limit) {
      return false;
    }
    handed = n;
    Future<Void> done = write.get();
    if (n % every == 0) {
      done.onComplete(ar -> written.accumulateAndGet(n, Math::max));
    }
    return true;
  }
}
