package dev.chorus.load.harness.peer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.load.harness.metrics.LoadStats;
import dev.chorus.load.harness.metrics.ProcessCpu;
import dev.chorus.load.harness.scenario.Stream;

/**
 * The numbers of one stream run on one server, the same fields for Chorus and the peers:
 * throughput, send → one reader and send → all readers percentiles (ms), lost and doubled writes,
 * and the CPU time the server process used per write (less sensitive to a busy machine than the
 * timings; NaN until {@link #withServerCpu} is given it), and the parts of it the server's JIT
 * compiler threads and its garbage collector's threads used; and the CPU time the clients' process
 * used per write over the same run (NaN until {@link #withClientCpu}): the harness JVM for Chorus
 * and the relay, whose clients run in it, and the Node process of the Yjs peers' clients.
 */
public record StreamNumbers(
    String server,
    int readers,
    int ops,
    double opsPerSecond,
    double readerP50,
    double readerP99,
    double allP50,
    double allP99,
    double allMax,
    long lost,
    long dup,
    double serverCpuMicrosPerWrite,
    double jitMicrosPerWrite,
    double gcMicrosPerWrite,
    double clientCpuMicrosPerWrite) {

  /** These numbers with the server's CPU time over the run (and its JIT's and GC's parts). */
  StreamNumbers withServerCpu(ProcessCpu cpu) {
    return withCpu(
        perWrite(cpu.totalNanos()),
        perWrite(cpu.compilerNanos()),
        perWrite(cpu.gcNanos()),
        clientCpuMicrosPerWrite);
  }

  /** These numbers with the clients' process's CPU time over the run, in nanoseconds. */
  StreamNumbers withClientCpu(long nanos) {
    return withCpu(serverCpuMicrosPerWrite, jitMicrosPerWrite, gcMicrosPerWrite, perWrite(nanos));
  }

  private StreamNumbers withCpu(double server, double jit, double gc, double client) {
    return new StreamNumbers(
        this.server,
        readers,
        ops,
        opsPerSecond,
        readerP50,
        readerP99,
        allP50,
        allP99,
        allMax,
        lost,
        dup,
        server,
        jit,
        gc,
        client);
  }

  private double perWrite(long nanos) {
    return ops == 0 ? Double.NaN : nanos / 1000.0 / ops;
  }

  public static StreamNumbers of(String server, Stream.Result r) {
    return new StreamNumbers(
        server,
        r.readers(),
        r.ops(),
        r.opsPerSecond(),
        LoadStats.ms(r.perReader(), 50),
        LoadStats.ms(r.perReader(), 99),
        LoadStats.ms(r.allReaders(), 50),
        LoadStats.ms(r.allReaders(), 99),
        r.allReaders().getTotalCount() == 0 ? Double.NaN : r.allReaders().getMaxValue() / 1000.0,
        r.lost(),
        r.dup(),
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN);
  }

  /**
   * From the JSON line of {@code server-bench.mjs stream}, with its client process's CPU time
   * ({@code clientCpuMicros}: {@code process.cpuUsage()}, user + system of all its threads, from
   * before its clients connect until they are closed — the window the harness JVM is measured over
   * for Chorus).
   */
  public static StreamNumbers of(JsonNode n) {
    int ops = n.path("ops").asInt();
    double clientCpu = n.path("clientCpuMicros").asDouble(Double.NaN);
    return new StreamNumbers(
        n.path("peer").asText(),
        n.path("readers").asInt(),
        ops,
        n.path("opsPerSecond").asDouble(),
        n.path("perReader").path("p50").asDouble(Double.NaN),
        n.path("perReader").path("p99").asDouble(Double.NaN),
        n.path("allReaders").path("p50").asDouble(Double.NaN),
        n.path("allReaders").path("p99").asDouble(Double.NaN),
        n.path("allReaders").path("max").asDouble(Double.NaN),
        n.path("lost").asLong(),
        n.path("dup").asLong(),
        Double.NaN,
        Double.NaN,
        Double.NaN,
        ops == 0 ? Double.NaN : clientCpu / ops);
  }
}
