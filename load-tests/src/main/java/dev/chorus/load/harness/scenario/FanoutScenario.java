package dev.chorus.load.harness.scenario;

import dev.chorus.load.harness.metrics.LoadStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fanout}: one writer, many readers on one session ({@link Stream}). Measures write →
 * every-reader latency and the sustained rate one session can broadcast at, with durable acks;
 * proves every reader got every write exactly once and ends with the server's state. The node runs
 * without the per-actor rate limit ({@code --ops-per-second 0}): one writer is meant to go flat
 * out.
 */
public final class FanoutScenario implements Scenario {
  @Override
  public String name() {
    return "fanout";
  }

  @Override
  public String description() {
    return "one writer, many readers: write -> all-readers latency and broadcast rate";
  }

  @Override
  public Map<String, String> defaults(boolean quick) {
    return quick
        ? Map.of("readers", "8", "ops", "400", "window", "32", "keys", "1000")
        : Map.of("readers", "50", "ops", "10000", "window", "64", "keys", "1000");
  }

  @Override
  public List<String> nodeArgs(Params p) {
    return List.of("--ops-per-second", "0");
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Params p = ctx.params();
    int readers = p.i("readers");
    int ops = p.i("ops");
    String session = "fanout-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    Stream.Result r =
        Stream.run(ctx, session, readers, ops, p.i("window"), p.i("keys"), 120_000L + ops * 20L);
    ctx.verdict()
        .check(
            "every reader got every write exactly once",
            r.lost() == 0 && r.dup() == 0,
            readers + " readers x " + ops + " writes: lost " + r.lost() + ", doubled " + r.dup());
    ctx.verdict().lost(r.lost());
    ctx.verdict().dup(r.dup());
    ctx.note(
        String.format(
            Locale.ROOT,
            "%d writes to %d readers in %.2f s = %.0f writes/s (%.0f deliveries/s); send -> one reader"
                + " p50 %.2f ms p99 %.2f ms; send -> all readers p50 %.2f ms p99 %.2f ms",
            ops,
            readers,
            r.seconds(),
            r.opsPerSecond(),
            r.opsPerSecond() * readers,
            LoadStats.ms(r.perReader(), 50),
            LoadStats.ms(r.perReader(), 99),
            LoadStats.ms(r.allReaders(), 50),
            LoadStats.ms(r.allReaders(), 99)));
    ctx.fanout(r);
    ctx.finish(false, 30_000);
  }
}
