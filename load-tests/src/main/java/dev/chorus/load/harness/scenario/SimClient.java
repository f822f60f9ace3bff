package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.client.Ack;
import dev.chorus.client.ChorusClient;
import dev.chorus.client.ChorusListener;
import dev.chorus.client.Refused;
import dev.chorus.load.harness.Json;
import dev.chorus.load.harness.metrics.LoadStats;
import dev.chorus.load.harness.verify.ClientView;
import dev.chorus.load.harness.verify.Replica;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One simulated participant: a chorus-client {@link ChorusClient} (which speaks the protocol,
 * resumes, re-sends and retries) plus what the harness measures and the verifier needs — every
 * batch id it sent, every ack, every refusal, every change delivered (its {@link Replica}), the
 * conflicts it was told of, and anything the server sent that the client did not expect.
 *
 * <p>Batch ids embed their submit time ({@code <clientId>.<n>.t<nanoTime>}) so any receiver in the
 * same JVM can measure delivery latency. Its records live on the client's context.
 */
public final class SimClient {
  private final ChorusClient client;
  private final String actorId;
  private final LoadStats stats;
  private final ChorusListener hooks;
  private final Replica replica;
  private long nextBatch;
  private long connectStartNanos;
  private String joinVersion;
  private final Map<String, Ack> acked = new LinkedHashMap<>();
  private long ackedOps;
  private final Set<String> sent = new HashSet<>();
  private final Map<String, String> rejected = new LinkedHashMap<>();
  private final Set<String> everOpened = new HashSet<>();
  private final List<String> problems = new ArrayList<>();
  private long conflictOpenedFrames;
  private long conflictResolvedFrames;

  SimClient(
      Vertx vertx,
      io.vertx.core.http.WebSocketClient sockets,
      ChorusClient.Options options,
      String actorId,
      boolean keepReplica,
      LoadStats stats,
      ChorusListener hooks) {
    this.actorId = actorId;
    this.stats = stats;
    this.hooks = hooks == null ? new ChorusListener() {} : hooks;
    this.replica = new Replica(keepReplica);
    this.client = new ChorusClient(vertx, sockets, options, new Recorder());
  }

  public ChorusClient client() {
    return client;
  }

  public String clientId() {
    return client.options().clientId();
  }

  public String actorId() {
    return actorId;
  }

  public String session() {
    return client.options().session();
  }

  /** What it was delivered (and its replica, if it keeps one). */
  public Replica replica() {
    return replica;
  }

  public Context context() {
    return client.context();
  }

  /**
   * Connects; completes with the first welcome. The time from here to it, retries included, is
   * latency {@code join}.
   */
  public Future<JsonNode> connect() {
    context().runOnContext(v -> connectStartNanos = System.nanoTime());
    return client.connect();
  }

  /** Writes based on the last version seen. */
  public Future<Ack> submit(ArrayNode ops) {
    return submit(ops, null, false);
  }

  /** Writes based on {@code basedOn} (null: the last version seen), strictly or not. */
  public Future<Ack> submit(ArrayNode ops, String basedOn, boolean strict) {
    return recorded(ops.size(), id -> client.submit(ops, basedOn, strict, id));
  }

  /** Resolves the conflict at {@code path} with {@code value} (a write like any other). */
  public Future<Ack> resolve(String path, JsonNode value) {
    ObjectNode form = Json.obj();
    form.set("value", value);
    return recorded(1, id -> client.resolve(path, form, null, id));
  }

  /** Sends a write of {@code ops} ops under a fresh harness id, recording what becomes of it. */
  private Future<Ack> recorded(int ops, Function<String, Future<Ack>> write) {
    Promise<Ack> p = Promise.promise();
    onContext(
        () -> {
          String id = clientId() + "." + (++nextBatch) + ".t" + System.nanoTime();
          sent.add(id);
          stats.batchesSent.increment();
          write
              .apply(id)
              .onComplete(
                  ar -> {
                    if (ar.succeeded()) {
                      Ack a = ar.result();
                      acked.put(id, a);
                      ackedOps += ops;
                      stats.batchesAcked.increment();
                      stats.opsAcked.add(ops);
                      stats.ackLatency(a.latencyNanos());
                      if (a.duplicate()) {
                        stats.duplicateAcks.increment();
                      }
                    } else if (ar.cause() instanceof Refused r && !r.code().equals("closed")) {
                      rejected.put(id, r.code());
                      stats.rejected.increment();
                    } // closed: in doubt
                    p.handle(ar);
                  });
        });
    return p.future();
  }

  /** Runs {@code task} on the client's context: at once from there (a pacer), else after a hop. */
  private void onContext(Runnable task) {
    if (Vertx.currentContext() == context()) {
      task.run();
    } else {
      context().runOnContext(v -> task.run());
    }
  }

  /** Whether the client is connected and welcomed now. */
  public boolean live() {
    return client.live();
  }

  /**
   * Drops the connection the way a crashing agent or a network blip does, and comes back after
   * {@code downMs} plus jitter, resuming with {@code since} and re-sending what was not acked.
   */
  public void drop(long downMs) {
    client
        .goOffline()
        .onComplete(
            ar ->
                client
                    .context()
                    .owner()
                    .setTimer(
                        Math.max(1, client.options().backoff().after(downMs)),
                        t -> client.goOnline()));
  }

  /** The first-send time embedded in a harness batch id (0 if it is not one). */
  public static long sentNanos(String batchId) {
    int t = batchId.lastIndexOf(".t");
    if (t < 0) {
      return 0;
    }
    try {
      return Long.parseLong(batchId.substring(t + 2));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** What the client recorded, consistent (on its context); call after it stopped. */
  public Future<ClientView> view() {
    Promise<ClientView> p = Promise.promise();
    context()
        .runOnContext(
            v -> {
              Set<String> inDoubt = new HashSet<>(sent);
              inDoubt.removeAll(acked.keySet());
              inDoubt.removeAll(rejected.keySet());
              String last = client.version();
              p.complete(
                  new ClientView(
                      actorId,
                      clientId(),
                      last == null ? "" : last,
                      joinVersion,
                      new LinkedHashMap<>(acked),
                      ackedOps,
                      Set.copyOf(inDoubt),
                      new LinkedHashMap<>(rejected),
                      Collections.unmodifiableSet(new TreeMap<>(client.conflicts()).keySet()),
                      Set.copyOf(everOpened),
                      conflictOpenedFrames,
                      conflictResolvedFrames,
                      replica,
                      List.copyOf(problems)));
            });
    return p.future();
  }

  private void problem(String what) {
    if (problems.size() < 20) {
      problems.add(what);
    }
    stats.error("client_problem");
  }

  /** Measures and records what the client tells, then passes it on to the scenario's hooks. */
  private final class Recorder implements ChorusListener {
    @Override
    public void onWelcome(JsonNode w) {
      boolean first = joinVersion == null;
      boolean resumed = w.path("resumed").asBoolean(false);
      stats.connects.increment();
      if (resumed) {
        stats.resumed.increment();
        replica.deliver(changesOf(w.get("changes")), true);
        if (first) {
          replica.startedFromEmpty(); // asked with since "" (full history)
        }
      } else {
        replica.gap(
            first
                ? "joined from a document snapshot"
                : "welcome without changes (since not retained)");
      }
      w.path("conflicts").forEach(c -> everOpened.add(c.path("id").asText()));
      if (first) {
        joinVersion = resumed ? "" : w.path("version").asText();
        stats.joined.increment();
        stats.latency("join", System.nanoTime() - connectStartNanos);
      } else {
        stats.reconnects.increment();
      }
      hooks.onWelcome(w);
    }

    @Override
    public void onChange(JsonNode c) {
      replica.deliver(c.get("changes"), false);
      long sentAt = sentNanos(c.path("batchId").asText());
      if (sentAt != 0) {
        stats.deliveryLatency(System.nanoTime() - sentAt);
      }
      hooks.onChange(c);
    }

    @Override
    public void onConflictOpened(JsonNode conflict) {
      stats.conflictEvents.increment();
      conflictOpenedFrames++;
      everOpened.add(conflict.path("id").asText());
      hooks.onConflictOpened(conflict);
    }

    @Override
    public void onConflictResolved(JsonNode frame) {
      stats.conflictEvents.increment();
      conflictResolvedFrames++;
      hooks.onConflictResolved(frame);
    }

    @Override
    public void onError(JsonNode e) {
      String code = e.path("code").asText();
      stats.error(code);
      if (e.hasNonNull("batchId") && !e.path("fatal").asBoolean(false)) {
        switch (code) {
          case "rate_limited", "overloaded", "internal" -> stats.retries.increment();
          default -> {}
        }
      }
    }

    @Override
    public void onConnectFailed(Throwable cause) {
      stats.connectFailures.increment();
      stats.error("connect_failed");
      if (cause instanceof UpgradeRejectedException u && u.getStatus() >= 500) {
        // e.g. 503 overloaded (admission control): counted, and retried like any failure
        stats.http5xx.increment();
        stats.error("http_" + u.getStatus());
      }
    }

    @Override
    public void onUnexpected(String what, String frame) {
      problem(what + ": " + (frame.length() > 300 ? frame.substring(0, 300) + "…" : frame));
    }
  }

  /** The codec changes inside a welcome's {@code changes} (each a change body with changes). */
  private static ArrayNode changesOf(JsonNode bodies) {
    ArrayNode all = Json.arr();
    if (bodies != null) {
      for (JsonNode b : bodies) {
        for (JsonNode c : b.path("changes")) {
          all.add(c);
        }
      }
    }
    return all;
  }
}
