package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.client.ChorusListener;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code steady}: N sessions × M clients (people and agents) working a shared board at a steady
 * rate with the realistic {@link BoardMix}: cards added, edited, moved, deleted, task fields, plan
 * steps, notes text, votes, instructions. Every client writes from its current view, so conflicts
 * only come from real concurrency. Proves the everyday path: throughput, ack and delivery latency,
 * and that nothing is lost, doubled or hidden.
 */
public final class SteadyScenario implements Scenario {
  @Override
  public String name() {
    return "steady";
  }

  @Override
  public String description() {
    return "N sessions x M clients (people and agents) editing a board at a steady rate";
  }

  @Override
  public Map<String, String> defaults(boolean quick) {
    return quick
        ? Map.of(
            "sessions",
            "2",
            "clients",
            "4",
            "rate",
            "4",
            "duration",
            "3",
            "agents",
            "0.5",
            "tasks",
            "6",
            "inflight",
            "2",
            "replicas",
            "true",
            "seed",
            "1")
        : Map.of(
            "sessions",
            "8",
            "clients",
            "10",
            "rate",
            "3",
            "duration",
            "60",
            "agents",
            "0.5",
            "tasks",
            "10",
            "inflight",
            "2",
            "replicas",
            "true",
            "seed",
            "1");
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Params p = ctx.params();
    int sessions = p.i("sessions");
    int perSession = p.i("clients");
    double rate = p.d("rate");
    long duration = p.l("duration");
    int agents = (int) Math.round(p.d("agents") * perSession);
    int inflight = p.i("inflight");
    boolean replicas = p.b("replicas");
    Random seeds = new Random(p.l("seed"));
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    List<Future<JsonNode>> joined = new ArrayList<>();
    List<Runnable> starters = new ArrayList<>();
    List<Pacer> pacers = new ArrayList<>();
    long[] deadline = {Long.MAX_VALUE};
    for (int s = 0; s < sessions; s++) {
      String session = "steady-" + run + "-" + s;
      Board board = Board.setUp(ctx.rest(session), "t", p.i("tasks"));
      for (int i = 0; i < perSession; i++) {
        boolean agent = i < agents;
        String actor = (agent ? "agent-" : "human-") + s + "-" + i;
        BoardView view = new BoardView(board);
        Random r = new Random(seeds.nextLong());
        ChorusListener hooks =
            new ChorusListener() {
              @Override
              public void onChange(JsonNode change) {
                view.learn(change.path("ops"));
              }
            };
        SimClient c =
            ctx.client(
                session, null, actor, actor, agent ? "agent" : "human", "editor", replicas, hooks);
        joined.add(c.connect());
        starters.add(
            () ->
                pacers.add(
                    new Pacer(
                            ctx.vertx(),
                            c.context(),
                            rate,
                            deadline[0],
                            Integer.MAX_VALUE,
                            () -> {
                              if (c.client().pending() >= (agent ? inflight : 1)) {
                                return false;
                              }
                              ArrayNode ops = BoardMix.batch(view, actor, agent, r);
                              c.submit(ops).onSuccess(a -> BoardMix.learnOwn(view, ops, a));
                              return true;
                            })
                        .start()));
      }
    }
    int failed = RunContext.await(joined, 60_000);
    ctx.verdict()
        .check("all clients joined", failed == 0, failed + " of " + joined.size() + " failed");
    deadline[0] = System.nanoTime() + duration * 1_000_000_000L;
    starters.forEach(Runnable::run);
    while (System.nanoTime() < deadline[0]) {
      Thread.sleep(Math.min(200, Math.max(1, (deadline[0] - System.nanoTime()) / 1_000_000)));
    }
    pacers.forEach(Pacer::stop);
    ctx.note(
        sessions
            + " sessions x "
            + perSession
            + " clients ("
            + agents
            + " agents each), "
            + rate
            + " batches/s per client, "
            + duration
            + " s");
    ctx.finish(true, 30_000);
  }
}
