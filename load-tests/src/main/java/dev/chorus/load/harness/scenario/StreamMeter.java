package dev.chorus.load.harness.scenario;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The bookkeeping of one {@link Stream}-shaped run, whatever carries the writes: when each write
 * was sent, which reader got which one (exactly once), send → reader and send → all-readers
 * latencies, and the window (writes not yet received by every reader). One place, so the Chorus
 * stream and the transport floor ({@code peer.RelayStream}) measure exactly the same way.
 */
public final class StreamMeter {
  private final int ops;
  private final int readers;
  private final int window;
  private final long[] sentAt;
  private final AtomicIntegerArray remaining;
  private final List<BitSet> seen = new ArrayList<>();
  private final ConcurrentHistogram perReader = new ConcurrentHistogram(3);
  private final ConcurrentHistogram all = new ConcurrentHistogram(3);
  private final AtomicInteger doneAll = new AtomicInteger();
  private final AtomicLong lastDone = new AtomicLong();
  private final AtomicLong dup = new AtomicLong();
  private int sent;
  private volatile long start;

  public StreamMeter(int readers, int ops, int window) {
    this.ops = ops;
    this.readers = readers;
    this.window = window;
    this.sentAt = new long[ops];
    this.remaining = new AtomicIntegerArray(ops);
    for (int i = 0; i < ops; i++) {
      remaining.set(i, readers);
    }
    for (int r = 0; r < readers; r++) {
      seen.add(new BitSet(ops));
    }
  }

  /**
   * The next write to send, or -1 if all are sent or the window is full. Call on the writer's
   * thread only; the first call starts the clock.
   */
  public int nextToSend() {
    if (sent >= ops || sent - doneAll.get() >= window) {
      return -1;
    }
    if (sent == 0) {
      start = System.nanoTime();
    }
    int i = sent++;
    sentAt[i] = System.nanoTime();
    return i;
  }

  /**
   * Reader {@code reader} received write {@code seq} (call on that reader's thread). True if this
   * was the last reader to get it, i.e. the window just opened by one.
   */
  public boolean received(int reader, int seq) {
    long now = System.nanoTime();
    if (seq < 0 || seq >= ops) {
      return false;
    }
    BitSet got = seen.get(reader);
    if (got.get(seq)) {
      dup.incrementAndGet();
      return false;
    }
    got.set(seq);
    perReader.recordValue(Math.max(1, (now - sentAt[seq]) / 1000));
    if (remaining.decrementAndGet(seq) != 0) {
      return false;
    }
    all.recordValue(Math.max(1, (now - sentAt[seq]) / 1000));
    lastDone.set(now);
    doneAll.incrementAndGet();
    return true;
  }

  /** Waits (bounded) until every reader got every write. */
  public void await(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (doneAll.get() < ops && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** The run's numbers: throughput = writes / (last write received by all − first send). */
  public Stream.Result result() {
    double seconds = start == 0 ? 0 : (Math.max(lastDone.get(), start) - start) / 1e9;
    long lost = 0;
    for (BitSet b : seen) {
      lost += ops - b.cardinality();
    }
    return new Stream.Result(ops, readers, seconds, perReader, all, lost, dup.get());
  }
}
