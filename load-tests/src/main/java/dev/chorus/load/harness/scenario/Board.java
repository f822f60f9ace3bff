package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.client.ChorusRest;
import dev.chorus.client.Ops;
import dev.chorus.load.harness.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * The starting board of an {@code agent-session} session, made over REST before the clients come:
 * the shape's three columns (their element ids read back) and {@code tasks} {@code t0..tN}, each
 * with a collaborative {@code notes} text and a {@code votes} counter, so every op kind has a
 * target.
 */
public record Board(List<String> columns, List<String> tasks) {

  /** Creates the tasks in {@code rest}'s session and reads the columns back. */
  public static Board setUp(ChorusRest rest, String prefix, int tasks) throws Exception {
    RunContext.get(rest.open("agent-session"));
    ArrayNode ops = Json.arr();
    List<String> taskIds = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      String t = prefix + i;
      taskIds.add(t);
      ObjectNode task = Json.obj();
      task.put("title", "Task " + i);
      task.put("status", "todo");
      task.putNull("assignee");
      task.putNull("claim");
      task.set("notes", Json.obj().put("$text", ""));
      task.set("votes", Json.obj().put("$counter", 0));
      ops.add(Ops.set("tasks/" + t, task));
    }
    if (!ops.isEmpty()) {
      RunContext.get(rest.apply(ops, null, false, "setup-" + prefix));
    }
    JsonNode doc = RunContext.get(rest.read()).path("doc");
    List<String> columns = new ArrayList<>();
    for (JsonNode c : doc.path("board").path("columns")) {
      columns.add(c.path("id").asText());
    }
    return new Board(List.copyOf(columns), List.copyOf(taskIds));
  }
}
