package dev.chorus.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's Prometheus metrics ({@code GET /metrics}). Names are documented in {@code
 * docs/operations.md}. Thread-safe.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter ops;
  private final Counter batches;
  private final Counter duplicates;
  private final Counter opened;
  private final Counter resolved;
  private final Timer batchLatency;
  private final Timer storeLatency;
  private final Timer storeWrite;
  private final Timer sessionLoad;
  private final Counter loadReplayed;
  private final Counter snapshots;
  private final Timer compaction;
  private final Timer snapshotCapture;

  public Metrics() {
    ops = Counter.builder("chorus.ops").description("ops applied").register(registry);
    batches =
        Counter.builder("chorus.batches")
            .description("batches applied and acked")
            .register(registry);
    duplicates =
        Counter.builder("chorus.batches.duplicate")
            .description("re-sent batches acked without applying")
            .register(registry);
    opened =
        Counter.builder("chorus.conflicts.opened")
            .description("conflicts opened")
            .register(registry);
    resolved =
        Counter.builder("chorus.conflicts.resolved")
            .description("conflicts resolved")
            .register(registry);
    batchLatency =
        timer(
            "chorus.batch.latency", "batch received to ack (includes the store commit)", registry);
    storeLatency = timer("chorus.store.commit", "one group commit to the store", registry);
    // The transaction alone, apart from the queueing before it and the settling after it.
    storeWrite =
        timer(
            "chorus.store.write",
            "one store transaction of queued groups (on the store thread)",
            registry);
    sessionLoad =
        timer(
            "chorus.session.load",
            "loading a session: store read, snapshot decode, replay of the rest",
            registry);
    loadReplayed =
        Counter.builder("chorus.session.load.replayed")
            .description("changes replayed by session loads (those their snapshot did not cover)")
            .register(registry);
    snapshots =
        Counter.builder("chorus.snapshots").description("snapshots written").register(registry);
    compaction =
        timer(
            "chorus.compaction",
            "one session compaction: history and deleted values older than the lag forgotten",
            registry);
    snapshotCapture =
        timer(
            "chorus.snapshot.capture",
            "one snapshot's capture of the session's state, on the session's context (its writes"
                + " wait meanwhile)",
            registry);
    // jvm_memory_used_bytes / _committed_ / _max_ by {area, id} (heap and non-heap pools)
    new JvmMemoryMetrics().bindTo(registry);
  }

  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void applied(int opCount) {
    batches.increment();
    ops.increment(opCount);
  }

  public void duplicate() {
    duplicates.increment();
  }

  public void conflictOpened() {
    opened.increment();
  }

  public void conflictResolved() {
    resolved.increment();
  }

  public void batchLatency(long nanos) {
    batchLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void storeLatency(long nanos) {
    storeLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void storeWrite(long nanos) {
    storeWrite.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void sessionLoaded(long nanos, int replayedChanges) {
    sessionLoad.record(nanos, TimeUnit.NANOSECONDS);
    loadReplayed.increment(replayedChanges);
  }

  public void snapshotWritten() {
    snapshots.increment();
  }

  public void snapshotCaptured(long nanos) {
    snapshotCapture.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void compacted(long nanos) {
    compaction.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void error(String code) {
    registry.counter("chorus.errors", "code", code).increment();
  }

  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** A latency timer with the median and p99 published (Prometheus quantiles). */
  private static Timer timer(String name, String description, MeterRegistry registry) {
    return Timer.builder(name)
        .description(description)
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }
}
