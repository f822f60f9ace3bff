package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.client.Ack;
import dev.chorus.client.Ops;
import dev.chorus.load.harness.Json;
import java.util.Random;

/**
 * The realistic board mix of {@code steady}: what a person or an agent does to a shared board, as
 * batches of protocol ops. A human batch is one op; an agent batch is one to four (agents plan and
 * file cards together). Weights: add card 18%, edit card 14%, move card 10%, delete own card 6%,
 * task status/assignee 16%, plan step add/status 14%, notes text 10%, votes 6%, instruction 6%.
 * Every op addresses what the client knows ({@link BoardView}); no batch writes one field twice.
 */
public final class BoardMix {
  private static final String[] TASK_STATUS = {"todo", "doing", "done", "cancelled"};
  private static final String[] STEP_STATUS = {"todo", "doing", "done", "skipped"};
  private static final String[] WORDS = {
    "draft", "review", "ship", "research", "call", "summarise", "plan", "test", "fix", "deploy"
  };

  private BoardMix() {}

  /** A batch for {@code who} ({@code human} → 1 op, {@code agent} → 1–4 ops). */
  public static ArrayNode batch(BoardView view, String who, boolean agent, Random r) {
    ArrayNode ops = Json.arr();
    int n = agent ? 1 + r.nextInt(4) : 1;
    java.util.Set<String> touched = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      ObjectNode op = op(view, who, r, ops.size());
      String p = op.path("path").asText();
      String[] seg = p.split("/");
      String key =
          seg.length >= 5 && seg[0].equals("board")
              ? String.join("/", java.util.Arrays.copyOf(seg, 5))
              : p;
      if (touched.add(key)) {
        ops.add(op);
      }
    }
    return ops;
  }

  private static ObjectNode op(BoardView view, String who, Random r, int index) {
    int roll = r.nextInt(100);
    String col = view.columns().get(r.nextInt(view.columns().size()));
    String task = view.tasks().get(r.nextInt(view.tasks().size()));
    if (roll < 18 || view.cardCount() == 0 && roll < 48) {
      ObjectNode card = Json.obj().put("title", words(r, 3)).put("by", who);
      return Ops.insert("board/columns/" + col + "/cards", null, card);
    }
    if (roll < 32) {
      String card = view.randomCard(r);
      return Ops.set(view.cardPath(card) + "/title", Json.F.textNode(words(r, 3)));
    }
    if (roll < 42) {
      String card = view.randomCard(r);
      return Ops.move(view.cardPath(card), "board/columns/" + col + "/cards", null);
    }
    if (roll < 48) {
      String card = view.randomOwnCard(r);
      if (card != null && view.ownCardCount() > 2) {
        return Ops.delete(view.cardPath(card));
      }
      return Ops.increment("tasks/" + task + "/votes", 1);
    }
    if (roll < 64) {
      if (r.nextBoolean()) {
        return Ops.set(
            "tasks/" + task + "/status",
            Json.F.textNode(TASK_STATUS[r.nextInt(TASK_STATUS.length)]));
      }
      return Ops.set("tasks/" + task + "/assignee", Json.F.textNode(who));
    }
    if (roll < 78) {
      String step = view.randomStep(r);
      if (step == null || r.nextInt(3) == 0) {
        return Ops.insert("plan", null, Json.obj().put("title", words(r, 2)).put("status", "todo"));
      }
      return Ops.set(
          "plan/" + step + "/status", Json.F.textNode(STEP_STATUS[r.nextInt(STEP_STATUS.length)]));
    }
    if (roll < 88) {
      return Ops.splice("tasks/" + task + "/notes", 0, 0, words(r, 1) + " ");
    }
    if (roll < 94) {
      return Ops.increment("tasks/" + task + "/votes", 1);
    }
    return Ops.insert(
        "instructions",
        null,
        Json.obj().put("text", words(r, 4)).put("author", who).put("status", "open"));
  }

  /** Teaches {@code view} what its own acked batch created (inserted cards and steps). */
  public static void learnOwn(BoardView view, ArrayNode ops, Ack ack) {
    for (int i = 0; i < ops.size(); i++) {
      String kind = ops.get(i).path("op").asText();
      String[] path = ops.get(i).path("path").asText().split("/");
      String id = ack.insertedId(i);
      if (kind.equals("insert") && id != null) {
        if (path.length == 4 && path[3].equals("cards")) {
          view.cardAdded(path[2], id, true);
        } else if (path[0].equals("plan")) {
          view.stepAdded(id);
        }
      } else if (kind.equals("move")) {
        String[] to = ops.get(i).path("to").asText().split("/");
        view.cardMoved(path[4], to[2]);
      } else if (kind.equals("delete") && path.length == 5) {
        view.cardDeleted(path[4]);
      }
    }
  }

  private static String words(Random r, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(WORDS[r.nextInt(WORDS.length)]);
    }
    return b.toString();
  }
}
