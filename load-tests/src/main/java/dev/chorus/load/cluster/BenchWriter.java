package dev.chorus.load.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.client.ChorusClient;
import dev.chorus.client.ChorusListener;
import dev.chorus.client.Ops;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One benchmark client: a chorus-client {@link ChorusClient} on one node, sending one-op batches
 * (an increment of its own counter) at a steady rate with a bounded number in flight, counting
 * acks, and — since every participant of a session gets every change — timing how long changes
 * other writers made through other nodes took to reach it: cross-node propagation, from the
 * writer's send to this client's receipt of the {@code change} frame (one JVM, one clock).
 *
 * <p>Everything but the counters read at the end runs on the client's context; the writers of one
 * benchmark share one context and one {@link Pacer} sends for all of them.
 */
final class BenchWriter {
  /** Send time (nanoTime) and origin node of every batch, shared by all writers. */
  record Sent(long nanos, String node) {}

  final int index;
  private final ChorusClient client;
  private final Map<String, Sent> sent;
  private final int window;
  private final Histogram propagation = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  // the same samples by the second of the phase they arrived in: is the tail spread or bunched?
  // (a list by second: a map's lookup and boxing per change was a twentieth of the bench's CPU)
  private final List<Histogram> bySecond = new ArrayList<>();
  private final ArrayNode ops;
  private long recordingSince;
  private String node;
  private long seq;
  private double credit;
  private boolean active;
  private double ratePerSecond;
  private boolean recording;
  volatile long acked;
  volatile long sentCount;
  volatile long errors;

  /** A writer of {@code session} on the node at {@code port} (node {@code node}). */
  BenchWriter(
      int index,
      Vertx vertx,
      String session,
      String token,
      int port,
      String node,
      Map<String, Sent> sent,
      int window) {
    this.index = index;
    this.sent = sent;
    this.window = window;
    this.node = node;
    this.ops = Ops.batch(Ops.increment("bench/w" + index, 1));
    this.client =
        new ChorusClient(
            vertx,
            new ChorusClient.Options(
                    "127.0.0.1", port, session, "bench-" + index, () -> token, false)
                .withShape("generic"),
            new ChorusListener() {
              @Override
              public void onChange(JsonNode f) {
                changed(f);
              }

              @Override
              public boolean wantsChangeBodies() {
                // timed by batchId; what was applied is checked on the nodes' counters at the end
                return false;
              }

              @Override
              public void onError(JsonNode e) {
                errors++;
              }
            });
  }

  /** Connects; completes with the welcome. */
  Future<JsonNode> connect() {
    return client.connect();
  }

  /** Writes {@code setup} now (outside the pacing); completes with its ack. */
  Future<?> write(ArrayNode setup) {
    return client.submit(setup);
  }

  private void changed(JsonNode f) {
    Sent s = sent.get(f.path("batchId").asText());
    if (recording && s != null && !s.node().equals(node)) {
      long now = System.nanoTime();
      long value = Math.max(0, now - s.nanos());
      propagation.recordValue(value);
      int second = (int) ((now - recordingSince) / 1_000_000_000L);
      while (bySecond.size() <= second) {
        bySecond.add(null);
      }
      Histogram h = bySecond.get(second);
      if (h == null) {
        h = new Histogram(TimeUnit.SECONDS.toNanos(60), 2);
        bySecond.set(second, h);
      }
      h.recordValue(value);
    }
  }

  /**
   * Starts sending at {@code rate} batches per second on the pacer's ticks (until {@link #pause}).
   */
  void run(double rate, boolean record) {
    client
        .context()
        .runOnContext(
            v -> {
              ratePerSecond = rate;
              recording = record;
              // what was recorded before (a warm-up) is not part of this phase
              propagation.reset();
              bySecond.clear();
              recordingSince = System.nanoTime();
              credit = 0;
              active = true;
            });
  }

  void pause() {
    client.context().runOnContext(v -> active = false);
  }

  void stopRecording() {
    client.context().runOnContext(v -> recording = false);
  }

  /** Forgets the acks so far (the setup batch is not part of the load). */
  void resetAcked() {
    client.context().runOnContext(v -> acked = 0);
  }

  /** One {@link Pacer} tick: sends what the rate allows since the last one. */
  void tick() {
    if (!active) {
      return;
    }
    credit += ratePerSecond * Pacer.PERIOD_MS / 1000.0;
    // not while the connection is down: batches would queue in the client, not be offered
    while (credit >= 1 && client.pending() < window && client.live()) {
      credit--;
      String id = "w" + index + "-" + (++seq);
      sent.put(id, new Sent(System.nanoTime(), node));
      sentCount++;
      client.submit(ops, null, false, id).onSuccess(a -> acked++);
    }
    if (credit > window) {
      credit = window; // behind: do not build an unbounded backlog
    }
  }

  /**
   * Moves this writer to another node (its node died): it resumes there and re-sends what the dead
   * node did not ack, under the same ids.
   */
  void moveTo(int port, String toNode) {
    client.context().runOnContext(v -> node = toNode);
    client.moveTo("127.0.0.1", port);
  }

  boolean live() {
    return client.live();
  }

  String node() {
    return node;
  }

  Future<Void> close() {
    return client.close();
  }

  /** Propagation latencies recorded so far (copy; read after {@link #stopRecording}). */
  Histogram propagation() {
    return onContext(propagation::copy);
  }

  /** {@link #propagation} by the second of the phase it arrived in (copy, as that). */
  Map<Integer, Histogram> propagationBySecond() {
    return onContext(
        () -> {
          Map<Integer, Histogram> copy = new TreeMap<>();
          for (int i = 0; i < bySecond.size(); i++) {
            if (bySecond.get(i) != null) {
              copy.put(i, bySecond.get(i).copy());
            }
          }
          return copy;
        });
  }

  private <T> T onContext(java.util.function.Supplier<T> read) {
    Promise<T> p = Promise.promise();
    client.context().runOnContext(v -> p.complete(read.get()));
    try {
      return p.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Sent> sharedLog() {
    return new ConcurrentHashMap<>();
  }
}
