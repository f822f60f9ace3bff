package dev.chorus.load.harness.metrics;

/**
 * One second of a run: what was acked in it and the latencies recorded in it (milliseconds; {@code
 * NaN} when nothing was recorded).
 */
public record Sample(
    int second,
    long opsAcked,
    long batchesAcked,
    double ackP50Ms,
    double ackP99Ms,
    long deliveries,
    double deliveryP99Ms,
    long errors,
    int connected) {}
