// server-bench's write, through a node's session stages in-process: CPU per write without
// websockets.
package dev.chorus.load.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.ThreadMXBean;
import dev.chorus.crdt.ActorKind;
import dev.chorus.load.harness.metrics.Median;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.auth.Role;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.replication.LocalReplicator;
import dev.chorus.server.session.EncodedFrame;
import dev.chorus.server.session.Participant;
import dev.chorus.server.session.Session;
import dev.chorus.server.session.SessionRegistry;
import dev.chorus.server.session.Shape;
import dev.chorus.server.store.jdbc.JdbcOpLogStore;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The writes of {@code server-bench} (one {@code set} of a 4-field card per batch, keys {@code
 * c0..c999}, at most 64 not yet acked), made through a node's own stages in one JVM: the frame
 * parsed and hashed ({@code Frames}), admitted, applied, committed to the embedded H2 store,
 * snapshotted, acked and published to one reader — everything a node does per write but the
 * websocket I/O. Prints the CPU time the node's threads (event loops, store threads) used per write
 * and the bytes they allocated, median over rounds, so two builds can be compared on a shared
 * machine where wall-clock benchmarks measure the neighbours.
 *
 * <p>Usage: {@code java -cp ... dev.chorus.load.jmh.WritePathCpu [writes per round, 10000] [rounds,
 * 5] [warm-up rounds, 3] [node flags, e.g. --snapshot-every-ops 20000]}; each round writes to a
 * fresh session.
 */
public final class WritePathCpu {
  private static final int WINDOW = 64;
  private static final String NOTE = "x".repeat(48);

  private WritePathCpu() {}

  public static void main(String[] args) throws Exception {
    int writes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int warmups = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path dir = Files.createTempDirectory("write-path-cpu-");
    List<String> flags =
        new ArrayList<>(List.of("--data-dir", dir.toString(), "--ops-per-second", "0"));
    flags.addAll(List.of(args).subList(Math.min(3, args.length), args.length));
    ServerConfig config = ServerConfig.parse(flags.toArray(String[]::new), Map.of());
    JdbcOpLogStore store = new JdbcOpLogStore(config.effectiveStoreUrl(), config.storeThreads());
    store.init();
    Vertx vertx = Vertx.vertx();
    SessionRegistry registry =
        new SessionRegistry(
            vertx,
            config,
            store,
            LocalReplicator.disabled(),
            Optional.empty(),
            new Metrics(),
            "n1");
    registry.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<Double> cpuUs = new ArrayList<>();
    List<Double> bytes = new ArrayList<>();
    try {
      for (int round = 0; round < warmups + rounds; round++) {
        Session s =
            registry
                .open("write-path-" + round, Shape.GENERIC)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        long[] before = nodeThreads(threads);
        Result r = new Writer(s, writes).run();
        long[] after = nodeThreads(threads);
        if (r.failed() > 0 || r.changes() != writes) {
          throw new IllegalStateException(
              "round " + round + ": " + r.failed() + " failed, reader saw " + r.changes());
        }
        if (round >= warmups) {
          cpuUs.add((after[0] - before[0]) / 1e3 / writes);
          bytes.add((double) (after[1] - before[1]) / writes);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      store.close();
    }
    System.out.printf(
        "RESULT write_path writes=%d rounds=%d cpu_us_per_write=%.1f alloc_bytes_per_write=%.0f%n",
        writes, rounds, Median.of(cpuUs), Median.of(bytes));
  }

  /** CPU nanoseconds and bytes allocated so far by the node's threads (event loops, store). */
  private static long[] nodeThreads(ThreadMXBean threads) {
    long cpu = 0;
    long allocated = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      if (name.startsWith("vert.x-eventloop") || name.startsWith("chorus-store")) {
        long id = info.getThreadId();
        cpu += Math.max(0, threads.getThreadCpuTime(id));
        allocated += Math.max(0, threads.getThreadAllocatedBytes(id));
      }
    }
    return new long[] {cpu, allocated};
  }

  private record Result(long failed, long changes) {}

  /** Sends the writes from the session's context, at most {@link #WINDOW} not yet acked. */
  private static final class Writer {
    private final Session session;
    private final int writes;
    private final Principal principal =
        new Principal("bench-writer", ActorKind.AGENT, Set.of("*"), Role.EDITOR, 0);
    private final Counting writer = new Counting("writer");
    private final Counting reader = new Counting("reader");
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private long failed;
    private int sent;
    private int acked;
    private String basedOn;

    Writer(Session session, int writes) {
      this.session = session;
      this.writes = writes;
    }

    Result run() throws Exception {
      session.exec(
          () -> {
            basedOn = session.join(reader, null).path("version").asText();
            session.join(writer, null);
            pump();
            return null;
          });
      return done.get(10, TimeUnit.MINUTES);
    }

    /** On the session's context, as a connection's frames arrive there. */
    private void pump() {
      while (sent < writes && sent - acked < WINDOW) {
        int i = sent++;
        String text =
            "{\"type\":\"batch\",\"batchId\":\"w-"
                + i
                + "\",\"basedOn\":\""
                + basedOn
                + "\",\"ops\":[{\"op\":\"set\",\"path\":\"c"
                + (i % 1000)
                + "\",\"value\":{\"seq\":"
                + i
                + ",\"title\":\"card "
                + i
                + "\",\"status\":\"doing\",\"note\":\""
                + NOTE
                + "\"}}]}";
        ObjectNode f = Frames.parseObject(text);
        Frames.Batch b = Frames.batch(f, null, true, 500);
        session
            .submit(b, principal, writer)
            .onComplete(
                ar -> {
                  acked++;
                  if (ar.succeeded()) {
                    writer.send(ar.result().ackFrame());
                    basedOn = ar.result().version();
                  } else {
                    failed++;
                  }
                  if (acked == writes) {
                    // the ack goes out before the change frames of its write: count after them
                    session
                        .context()
                        .runOnContext(v -> done.complete(new Result(failed, reader.frames)));
                  } else {
                    pump();
                  }
                });
      }
    }
  }

  /** A participant that counts the frames it is sent. */
  private static final class Counting implements Participant {
    private final String id;
    private final Principal principal =
        new Principal("bench-reader", ActorKind.AGENT, Set.of("*"), Role.EDITOR, 0);
    long frames;

    Counting(String id) {
      this.id = id;
    }

    @Override
    public String participantId() {
      return id;
    }

    @Override
    public String clientId() {
      return id;
    }

    @Override
    public Principal principal() {
      return principal;
    }

    @Override
    public boolean wantsSnapshots() {
      return false;
    }

    @Override
    public void send(EncodedFrame frame) {
      frames++;
    }

    @Override
    public void close(int status, String reason) {}
  }
}
