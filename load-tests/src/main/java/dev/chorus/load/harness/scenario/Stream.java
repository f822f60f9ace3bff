package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.client.ChorusListener;
import dev.chorus.client.Ops;
import dev.chorus.load.harness.Json;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One writer, R readers, on one {@code generic} session: the workload of {@code fanout} and of the
 * peer comparison, defined so a Yjs server can run exactly the same (peers/server-bench.mjs). The
 * writer makes {@code ops} separate writes, each one {@code set} of key {@code c<i mod keys>} to
 * {@code {"seq": i, "title": "card i", "status": "doing", "note": <48 chars>}}, keeping at most
 * {@code window} writes not yet received by every reader. Measured per write and reader: writer
 * send → reader receive (after the reader applied it); per write: send → received by all readers.
 * Throughput = writes / (last write received by all − first send). Each reader checks it got every
 * {@code seq} exactly once.
 */
public final class Stream {
  /** The outcome of one stream run. */
  public record Result(
      int ops,
      int readers,
      double seconds,
      Histogram perReader,
      Histogram allReaders,
      long lost,
      long dup) {
    public double opsPerSecond() {
      return seconds <= 0 ? 0 : ops / seconds;
    }
  }

  /** Changes a reader's replica applies between two compactions (see Replica#compactEvery). */
  private static final int REPLICA_COMPACT_EVERY = 1_000;

  private Stream() {}

  /** The write of op {@code i} (shared with the Node peers: same shape, same sizes). */
  public static ObjectNode payload(int i) {
    return Json.obj()
        .put("seq", i)
        .put("title", "card " + i)
        .put("status", "doing")
        .put("note", "x".repeat(48));
  }

  public static Result run(
      RunContext ctx, String session, int readers, int ops, int window, int keys, long timeoutMs)
      throws Exception {
    return run(ctx, session, readers, ops, window, keys, timeoutMs, true);
  }

  /**
   * {@code verified = false} (a benchmark's warm-up): the readers keep no replica and every client
   * is closed at the end, out of the final verification — 50 replicas of a session's whole history
   * per round would fill the harness's heap — while the meter still counts each delivery.
   */
  public static Result run(
      RunContext ctx,
      String session,
      int readers,
      int ops,
      int window,
      int keys,
      long timeoutMs,
      boolean verified)
      throws Exception {
    RunContext.get(ctx.rest(session).open("generic"));
    StreamMeter meter = new StreamMeter(readers, ops, window);
    SimClient[] writer = new SimClient[1];
    Runnable[] pump = new Runnable[1];

    List<Future<JsonNode>> joined = new ArrayList<>();
    for (int r = 0; r < readers; r++) {
      int reader = r;
      SimClient c =
          ctx.client(
              session,
              "generic",
              "reader-" + r,
              "reader-" + r,
              "human",
              "viewer",
              verified,
              new ChorusListener() {
                @Override
                public void onChange(JsonNode change) {
                  int seq = change.path("ops").path(0).path("value").path("seq").asInt(-1);
                  if (meter.received(reader, seq)) {
                    writer[0].context().runOnContext(v -> pump[0].run());
                  }
                }
              });
      // every change comes from the one writer, based on all before it: the replica may compact
      c.replica().compactEvery(REPLICA_COMPACT_EVERY);
      joined.add(c.connect());
    }
    if (RunContext.await(joined, 60_000) > 0) {
      throw new IllegalStateException("readers did not join");
    }
    writer[0] = ctx.client(session, "generic", "writer", "writer", "agent", "editor", true, null);
    if (RunContext.await(List.of(writer[0].connect()), 30_000) > 0) {
      throw new IllegalStateException("writer did not join");
    }
    pump[0] =
        () -> {
          for (int i = meter.nextToSend(); i >= 0; i = meter.nextToSend()) {
            ArrayNode batch = Json.arr();
            batch.add(Ops.set("c" + (i % keys), payload(i)));
            writer[0].submit(batch);
          }
        };
    writer[0].context().runOnContext(v -> pump[0].run());
    meter.await(timeoutMs);
    Result result = meter.result();
    if (!verified) {
      ctx.discard(session);
    }
    return result;
  }
}
