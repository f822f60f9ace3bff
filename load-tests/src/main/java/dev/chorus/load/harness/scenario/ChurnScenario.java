package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.client.ChorusListener;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code churn}: clients keep writing while their connections keep dying: every client drops its
 * websocket every {@code drop-every} ms on average (half the time right after sending a batch, so
 * its ack is lost in flight), stays away {@code down-ms}, and resumes with {@code since},
 * re-sending every batch not acked under its original id. With {@code crash=true} the node itself
 * is killed (SIGKILL) halfway and restarted on the same data. Proves resume delivers exactly what
 * was missed, re-sent batches apply once, and acked batches survive a crash.
 */
public final class ChurnScenario implements Scenario {
  @Override
  public String name() {
    return "churn";
  }

  @Override
  public String description() {
    return "clients disconnect and resume with since continuously (optionally the node crashes)";
  }

  @Override
  public Map<String, String> defaults(boolean quick) {
    return quick
        ? Map.of(
            "clients",
            "6",
            "sessions",
            "2",
            "rate",
            "8",
            "duration",
            "4",
            "drop-every",
            "700",
            "down-ms",
            "150",
            "crash",
            "true",
            "seed",
            "4")
        : Map.of(
            "clients",
            "40",
            "sessions",
            "4",
            "rate",
            "4",
            "duration",
            "60",
            "drop-every",
            "3000",
            "down-ms",
            "300",
            "crash",
            "true",
            "seed",
            "4");
  }

  @Override
  public List<String> nodeArgs(Params p) {
    // a crash reloads sessions from the store: keep the whole log so the verifier can read the
    // history from the start (the default keeps one snapshot interval)
    return p.b("crash") ? List.of("--snapshot-every", "1000000000") : List.of();
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Params p = ctx.params();
    int clients = p.i("clients");
    int sessions = p.i("sessions");
    double rate = p.d("rate");
    long duration = p.l("duration");
    long dropEvery = p.l("drop-every");
    long downMs = p.l("down-ms");
    boolean crash = p.b("crash") && ctx.target().node() != null;
    Random seeds = new Random(p.l("seed"));
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    List<Board> boards = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      boards.add(Board.setUp(ctx.rest("churn-" + run + "-" + s), "t", 4));
    }
    List<SimClient> cs = new ArrayList<>();
    List<BoardView> views = new ArrayList<>();
    List<Future<JsonNode>> joined = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      int s = i % sessions;
      BoardView view = new BoardView(boards.get(s));
      String actor = (i % 2 == 0 ? "human-" : "agent-") + i;
      SimClient c =
          ctx.client(
              "churn-" + run + "-" + s,
              null,
              actor,
              actor,
              i % 2 == 0 ? "human" : "agent",
              "editor",
              true,
              new ChorusListener() {
                @Override
                public void onChange(JsonNode change) {
                  view.learn(change.path("ops"));
                }
              });
      cs.add(c);
      views.add(view);
      joined.add(c.connect());
    }
    int failed = RunContext.await(joined, 60_000);
    ctx.verdict().check("all clients joined", failed == 0, failed + " of " + clients + " failed");
    long deadline = System.nanoTime() + duration * 1_000_000_000L;
    List<Pacer> pacers = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      SimClient c = cs.get(i);
      BoardView view = views.get(i);
      boolean agent = i % 2 == 1;
      String actor = c.actorId();
      Random r = new Random(seeds.nextLong());
      pacers.add(
          new Pacer(
                  ctx.vertx(),
                  c.context(),
                  rate,
                  deadline,
                  Integer.MAX_VALUE,
                  () -> {
                    if (c.client().pending() >= 3) {
                      return false;
                    }
                    ArrayNode ops = BoardMix.batch(view, actor, agent, r);
                    c.submit(ops).onSuccess(a -> BoardMix.learnOwn(view, ops, a));
                    return true;
                  })
              .start());
      pacers.add(
          new Pacer(
                  ctx.vertx(),
                  c.context(),
                  1000.0 / dropEvery,
                  deadline,
                  Integer.MAX_VALUE,
                  () -> {
                    if (ThreadLocalRandom.current().nextBoolean()) {
                      c.submit(BoardMix.batch(view, actor, agent, r));
                    }
                    c.drop(downMs);
                    return true;
                  })
              .start());
    }
    boolean crashed = false;
    long crashAt = System.nanoTime() + duration * 500_000_000L;
    while (System.nanoTime() < deadline) {
      if (crash && !crashed && System.nanoTime() > crashAt) {
        crashed = true;
        long acked = ctx.stats().batchesAcked.sum();
        ctx.progress().phase("crash");
        ctx.target().crashAndRestart(Duration.ofMillis(200));
        ctx.progress().phase("run");
        ctx.note("node SIGKILLed after " + acked + " acked batches and restarted on the same data");
      }
      Thread.sleep(100);
    }
    pacers.forEach(Pacer::stop);
    ctx.note(
        clients
            + " clients in "
            + sessions
            + " sessions, "
            + rate
            + " batches/s each, a drop"
            + " every ~"
            + dropEvery
            + " ms per client (down "
            + downMs
            + " ms), "
            + duration
            + " s");
    ctx.finish(true, 60_000);
    long resumed = ctx.stats().resumed.sum();
    ctx.verdict()
        .check(
            "clients resumed with since",
            resumed > clients,
            resumed + " resumed welcomes, " + ctx.stats().reconnects.sum() + " reconnects");
  }
}
