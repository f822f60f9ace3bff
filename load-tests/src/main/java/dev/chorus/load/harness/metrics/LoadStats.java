package dev.chorus.load.harness.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one scenario run measures: ack latency (batch sent → its ack, so it includes the durable
 * commit), delivery latency (batch sent by one client → its {@code change} frame received by
 * another), counters, errors by code, and a per-second timeline. Recording is thread-safe (any
 * event loop); {@link #sample} is called by one thread only (the progress ticker).
 */
public final class LoadStats {
  private final long startNanos = System.nanoTime();
  private final Recorder ack = new Recorder(3);
  private final Recorder delivery = new Recorder(3);
  private final Histogram ackTotal = new Histogram(3);
  private final Histogram deliveryTotal = new Histogram(3);
  private final Map<String, Histogram> extraTotals = new TreeMap<>();
  private final ConcurrentHashMap<String, Recorder> extra = new ConcurrentHashMap<>();
  private final List<Sample> timeline = new ArrayList<>();

  public final LongAdder batchesSent = new LongAdder();
  public final LongAdder batchesAcked = new LongAdder();
  public final LongAdder opsAcked = new LongAdder();
  public final LongAdder duplicateAcks = new LongAdder();
  public final LongAdder rejected = new LongAdder();
  public final LongAdder retries = new LongAdder();
  public final LongAdder deliveries = new LongAdder();
  public final LongAdder connects = new LongAdder();
  public final LongAdder reconnects = new LongAdder();
  public final LongAdder resumed = new LongAdder();
  public final LongAdder connectFailures = new LongAdder();
  public final LongAdder conflictEvents = new LongAdder();

  /** Clients that got their first {@code welcome} (each counted once). */
  public final LongAdder joined = new LongAdder();

  /** HTTP answers with a 5xx status (websocket upgrades refused with one, REST calls). */
  public final LongAdder http5xx = new LongAdder();

  private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

  private long lastOps;
  private long lastBatches;
  private long lastDeliveries;
  private long lastErrors;

  public long elapsedNanos() {
    return System.nanoTime() - startNanos;
  }

  public void ackLatency(long nanos) {
    ack.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  public void deliveryLatency(long nanos) {
    deliveries.increment();
    delivery.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  /** A latency of another kind (e.g. {@code connect}, {@code fanout-all}), in its own histogram. */
  public void latency(String name, long nanos) {
    extra
        .computeIfAbsent(name, k -> new Recorder(3))
        .recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos)));
  }

  public void error(String code) {
    errors.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  public long errorCount() {
    return errors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Errors by stable code. */
  public Map<String, Long> errors() {
    Map<String, Long> m = new TreeMap<>();
    errors.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Closes the current second: moves interval histograms into the totals, appends a sample. */
  public synchronized Sample sample(int connected) {
    Histogram a = ack.getIntervalHistogram();
    Histogram d = delivery.getIntervalHistogram();
    ackTotal.add(a);
    deliveryTotal.add(d);
    extra.forEach(
        (k, r) ->
            extraTotals.computeIfAbsent(k, x -> new Histogram(3)).add(r.getIntervalHistogram()));
    long ops = opsAcked.sum();
    long batches = batchesAcked.sum();
    long dels = deliveries.sum();
    long errs = errorCount();
    Sample s =
        new Sample(
            timeline.size() + 1,
            ops - lastOps,
            batches - lastBatches,
            ms(a, 50),
            ms(a, 99),
            dels - lastDeliveries,
            ms(d, 99),
            errs - lastErrors,
            connected);
    lastOps = ops;
    lastBatches = batches;
    lastDeliveries = dels;
    lastErrors = errs;
    timeline.add(s);
    return s;
  }

  public synchronized List<Sample> timeline() {
    return List.copyOf(timeline);
  }

  /** Ack latency over the whole run (call {@link #sample} once more first). */
  public synchronized Histogram ackHistogram() {
    return ackTotal.copy();
  }

  public synchronized Histogram deliveryHistogram() {
    return deliveryTotal.copy();
  }

  public synchronized Map<String, Histogram> extraHistograms() {
    Map<String, Histogram> m = new TreeMap<>();
    extraTotals.forEach((k, v) -> m.put(k, v.copy()));
    return m;
  }

  /** The {@code p}th percentile of {@code h} in milliseconds ({@code NaN} if empty). */
  public static double ms(Histogram h, double p) {
    if (h.getTotalCount() == 0) {
      return Double.NaN;
    }
    return h.getValueAtPercentile(p) / 1000.0;
  }
}
