package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.client.Ops;
import dev.chorus.load.harness.Json;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code hot-field}: many writers (people and agents) set the same few fields ({@code
 * tasks/h<i>/status}) from stale views: each writer refreshes what it has seen only every {@code
 * stale} writes, so most writes are concurrent with others it did not see. Some writers resolve the
 * conflicts they are told about. Proves that every concurrent assignment is kept and surfaced (to
 * every client, intent for intent, exactly as the writes' {@code basedOn} imply) and none is
 * silently overwritten.
 */
public final class HotFieldScenario implements Scenario {
  private static final String[] STATUS = {"todo", "doing", "done", "cancelled"};

  @Override
  public String name() {
    return "hot-field";
  }

  @Override
  public String description() {
    return "many writers on the same few fields from stale views; every conflict kept and surfaced";
  }

  @Override
  public Map<String, String> defaults(boolean quick) {
    return quick
        ? Map.of(
            "writers", "6", "fields", "2", "writes", "15", "rate", "10", "stale", "3", "resolve",
            "0.1", "seed", "2")
        : Map.of(
            "writers", "24", "fields", "3", "writes", "100", "rate", "10", "stale", "4", "resolve",
            "0.05", "seed", "2");
  }

  @Override
  public void run(RunContext ctx) throws Exception {
    Params p = ctx.params();
    int writers = p.i("writers");
    int fields = p.i("fields");
    int writes = p.i("writes");
    double rate = p.d("rate");
    int stale = p.i("stale");
    double resolve = p.d("resolve");
    Random seeds = new Random(p.l("seed"));
    String session = "hot-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    Board.setUp(ctx.rest(session), "h", fields);

    List<SimClient> cs = new ArrayList<>();
    List<Future<JsonNode>> joined = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      boolean agent = i % 2 == 1;
      String actor = (agent ? "agent-" : "human-") + i;
      SimClient c =
          ctx.client(session, null, actor, actor, agent ? "agent" : "human", "editor", true, null);
      cs.add(c);
      joined.add(c.connect());
    }
    int failed = RunContext.await(joined, 60_000);
    ctx.verdict().check("all writers joined", failed == 0, failed + " of " + writers + " failed");

    long deadline = System.nanoTime() + (long) ((writes / rate + 30) * 1e9);
    List<Pacer> pacers = new ArrayList<>();
    for (SimClient c : cs) {
      Random r = new Random(seeds.nextLong());
      String[] view = {null};
      int[] made = {0};
      pacers.add(
          new Pacer(
                  ctx.vertx(),
                  c.context(),
                  rate,
                  deadline,
                  writes,
                  () -> {
                    if (c.client().pending() >= 2) {
                      return false;
                    }
                    if (view[0] == null || made[0] % stale == 0) {
                      view[0] = c.client().version();
                    }
                    made[0]++;
                    if (r.nextDouble() < resolve && !c.client().conflicts().isEmpty()) {
                      List<JsonNode> open = new ArrayList<>(c.client().conflicts().values());
                      JsonNode conflict = open.get(r.nextInt(open.size()));
                      c.resolve(conflict.path("path").asText(), Json.F.textNode("done"));
                      return true;
                    }
                    ArrayNode ops = Json.arr();
                    ops.add(
                        Ops.set(
                            "tasks/h" + r.nextInt(fields) + "/status",
                            Json.F.textNode(STATUS[r.nextInt(STATUS.length)])));
                    c.submit(ops, view[0], false);
                    return true;
                  })
              .start());
    }
    while (System.nanoTime() < deadline && pacers.stream().anyMatch(x -> x.runs() < writes)) {
      Thread.sleep(100);
    }
    pacers.forEach(Pacer::stop);
    ctx.note(
        writers
            + " writers x "
            + writes
            + " writes on "
            + fields
            + " fields, view refreshed"
            + " every "
            + stale
            + " writes, resolve probability "
            + resolve);
    ctx.finish(true, 30_000);
    long events = ctx.stats().conflictEvents.sum();
    ctx.verdict()
        .check(
            "contention produced conflicts",
            events > 0,
            events + " conflict.opened/resolved frames received");
  }
}
