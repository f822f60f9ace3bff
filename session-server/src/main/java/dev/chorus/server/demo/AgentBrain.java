package dev.chorus.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the demo agent decides to do next, from one view of the board (the wire {@code doc}, lists
 * as {@code [{id, value}]}). Pure and deterministic: no I/O, no clock. One action at a time, in
 * this order of priority:
 *
 * <ol>
 *   <li><b>finish</b>: a card outside Done whose status is {@code done}, or whose plan steps are
 *       all finished, is moved to Done (and marked done);
 *   <li><b>triage</b>: a new card (outside Done) without labels gets labels from its title, and the
 *       agent takes it when it is the kind of work an agent does (docs, tests, research);
 *   <li><b>plan</b>: a card in Doing without plan steps is split into three steps, linked to it;
 *   <li><b>work</b>: the next unfinished step of a card the agent holds in Doing is advanced (todo
 *       → doing → done);
 *   <li><b>pick up</b>: when it holds nothing in Doing, its next card in To do is moved to Doing.
 * </ol>
 *
 * Cards with an open conflict are left alone: conflicts are for people to decide. The memory sets
 * keep the agent from redoing what a person has since undone (it never fights a human over the same
 * card twice).
 */
final class AgentBrain {
  static final JsonNodeFactory N = JsonNodeFactory.instance;

  /** One decision: the ops of a batch, what the agent says about it, and where it looks. */
  record Action(String kind, String cardId, ArrayNode ops, String narration, String doing) {}

  /** What the agent remembers between decisions (per session). */
  static final class Memory {
    final Set<String> triaged = new HashSet<>();
    final Set<String> planned = new HashSet<>();
    final Set<String> finished = new HashSet<>();
    final Set<String> pickedUp = new HashSet<>();
  }

  private final String self;

  AgentBrain(String self) {
    this.self = self;
  }

  /** A card as the agent sees it. */
  record Card(String colElId, String col, String id, JsonNode value, int index) {
    String title() {
      return value.path("title").asText("untitled");
    }

    String path() {
      return "board/columns/" + colElId + "/cards/" + id;
    }

    String status() {
      return value.path("status").asText("");
    }

    String assignee() {
      JsonNode a = value.get("assignee");
      return a == null || a.isNull() ? null : a.asText();
    }

    List<String> labels() {
      List<String> out = new ArrayList<>();
      JsonNode l = value.get("labels");
      if (l != null && l.isArray()) {
        for (JsonNode e : l) {
          out.add(e.isObject() && e.has("value") ? e.get("value").asText() : e.asText());
        }
      }
      return out;
    }
  }

  Optional<Action> decide(JsonNode doc, Set<String> conflictedCards, Memory mem) {
    if (doc == null || !doc.isObject()) {
      return Optional.empty();
    }
    Map<String, String> colIds = new java.util.HashMap<>(); // "todo" → column element id
    List<Card> cards = new ArrayList<>();
    for (JsonNode col : doc.path("board").path("columns")) {
      String key = col.path("value").path("id").asText(col.path("id").asText());
      colIds.put(key, col.path("id").asText());
      int i = 0;
      for (JsonNode c : col.path("value").path("cards")) {
        if (c.path("value").isObject()) {
          cards.add(
              new Card(col.path("id").asText(), key, c.path("id").asText(), c.get("value"), i));
        }
        i++;
      }
    }
    List<JsonNode> steps = new ArrayList<>();
    doc.path("plan").forEach(steps::add);
    List<Card> live = cards.stream().filter(c -> !conflictedCards.contains(c.id())).toList();

    // 1. finish
    String doneCol = colIds.get("done");
    if (doneCol != null) {
      for (Card c : live) {
        if (c.col().equals("done") || mem.finished.contains(c.id())) {
          continue;
        }
        List<JsonNode> linked = linkedSteps(steps, c.id());
        boolean allSteps =
            !linked.isEmpty() && linked.stream().allMatch(s -> finishedStatus(stepStatus(s)));
        if (c.status().equals("done") || allSteps) {
          mem.finished.add(c.id());
          ArrayNode ops = N.arrayNode();
          if (!c.status().equals("done")) {
            ops.add(set(c.path() + "/status", N.textNode("done")));
          }
          ops.add(move(c.path(), "board/columns/" + doneCol + "/cards", lastCardId(cards, "done")));
          String why =
              allSteps ? "all " + linked.size() + " plan steps are finished" : "it is marked done";
          return Optional.of(
              new Action(
                  "finish",
                  c.id(),
                  ops,
                  "Moved “" + c.title() + "” to Done: " + why + ".",
                  "moving “" + c.title() + "” to Done"));
        }
      }
    }

    // 2. triage
    for (Card c : live) {
      if (c.col().equals("done") || mem.triaged.contains(c.id()) || !c.labels().isEmpty()) {
        continue;
      }
      mem.triaged.add(c.id());
      List<String> labels = labelsFor(c.title() + " " + c.value.path("description").asText(""));
      ArrayNode ops = N.arrayNode();
      JsonNode l = c.value.get("labels");
      if (l != null && l.isArray()) {
        String after = null;
        for (String label : labels) {
          ObjectNode ins = N.objectNode();
          ins.put("op", "insert");
          ins.put("path", c.path() + "/labels");
          if (after == null) {
            ins.putNull("after");
          } else {
            ins.put("after", after);
          }
          ins.put("value", label);
          ops.add(ins);
          after = "$" + (ops.size() - 1);
        }
      } else {
        ArrayNode arr = N.arrayNode();
        labels.forEach(arr::add);
        ops.add(set(c.path() + "/labels", arr));
      }
      boolean mine =
          c.assignee() == null
              && labels.stream().anyMatch(x -> Set.of("docs", "test", "research").contains(x));
      if (mine) {
        ops.add(set(c.path() + "/assignee", N.textNode(self)));
      }
      if (c.status().isEmpty()) {
        ops.add(set(c.path() + "/status", N.textNode("todo")));
      }
      return Optional.of(
          new Action(
              "triage",
              c.id(),
              ops,
              "Triaged “"
                  + c.title()
                  + "”: labelled "
                  + String.join(", ", labels)
                  + (mine ? "; I'll take it." : "; leaving it for a human."),
              "triaging “" + c.title() + "”"));
    }

    // 3. plan
    for (Card c : live) {
      if (!c.col().equals("doing") || mem.planned.contains(c.id())) {
        continue;
      }
      if (!linkedSteps(steps, c.id()).isEmpty()) {
        mem.planned.add(c.id());
        continue;
      }
      mem.planned.add(c.id());
      List<String> titles = stepsFor(c);
      ArrayNode ops = N.arrayNode();
      String after = steps.isEmpty() ? null : steps.get(steps.size() - 1).path("id").asText();
      for (String t : titles) {
        ObjectNode v = N.objectNode();
        v.put("title", t);
        v.put("status", "todo");
        v.put("card", c.id());
        ObjectNode ins = N.objectNode();
        ins.put("op", "insert");
        ins.put("path", "plan");
        if (after == null) {
          ins.putNull("after");
        } else {
          ins.put("after", after);
        }
        ins.set("value", v);
        ops.add(ins);
        after = "$" + (ops.size() - 1);
      }
      return Optional.of(
          new Action(
              "plan",
              c.id(),
              ops,
              "Split “" + c.title() + "” into " + titles.size() + " plan steps.",
              "planning “" + c.title() + "”"));
    }

    // 4. work on my card in Doing
    for (Card c : live) {
      if (!c.col().equals("doing") || !self.equals(c.assignee())) {
        continue;
      }
      for (JsonNode s : linkedSteps(steps, c.id())) {
        String st = stepStatus(s);
        if (finishedStatus(st)) {
          continue;
        }
        String next = st.equals("doing") ? "done" : "doing";
        String title = s.path("value").path("title").asText("step");
        ArrayNode ops = N.arrayNode();
        ops.add(set("plan/" + s.path("id").asText() + "/status", N.textNode(next)));
        return Optional.of(
            new Action(
                "work",
                c.id(),
                ops,
                (next.equals("done") ? "Finished “" : "Started “") + title + "”.",
                "working on “" + title + "”"));
      }
    }

    // 5. pick up my next card
    String doingCol = colIds.get("doing");
    boolean busy =
        live.stream().anyMatch(c -> c.col().equals("doing") && self.equals(c.assignee()));
    if (!busy && doingCol != null) {
      for (Card c : live) {
        if (c.col().equals("todo") && self.equals(c.assignee()) && mem.pickedUp.add(c.id())) {
          ArrayNode ops = N.arrayNode();
          ops.add(set(c.path() + "/status", N.textNode("doing")));
          ops.add(
              move(c.path(), "board/columns/" + doingCol + "/cards", lastCardId(cards, "doing")));
          return Optional.of(
              new Action(
                  "pickup",
                  c.id(),
                  ops,
                  "Picked up “" + c.title() + "” and moved it to Doing.",
                  "starting “" + c.title() + "”"));
        }
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- helpers

  static List<JsonNode> linkedSteps(List<JsonNode> steps, String cardId) {
    return steps.stream()
        .filter(s -> cardId.equals(s.path("value").path("card").asText()))
        .toList();
  }

  static String stepStatus(JsonNode s) {
    return s.path("value").path("status").asText("todo");
  }

  static boolean finishedStatus(String s) {
    return s.equals("done") || s.equals("skipped") || s.equals("cancelled");
  }

  private static String lastCardId(List<Card> cards, String col) {
    String last = null;
    for (Card c : cards) {
      if (c.col().equals(col)) {
        last = c.id();
      }
    }
    return last;
  }

  static ObjectNode set(String path, JsonNode value) {
    ObjectNode o = N.objectNode();
    o.put("op", "set");
    o.put("path", path);
    o.set("value", value);
    return o;
  }

  static ObjectNode move(String path, String to, String after) {
    ObjectNode o = N.objectNode();
    o.put("op", "move");
    o.put("path", path);
    o.put("to", to);
    if (after == null) {
      o.putNull("after");
    } else {
      o.put("after", after);
    }
    return o;
  }

  private static final Map<String, List<String>> KEYWORDS =
      Map.of(
          "bug", List.of("bug", "fix", "crash", "error", "broken", "fail", "regression"),
          "docs", List.of("doc", "readme", "write", "post", "notes", "guide", "blog", "changelog"),
          "ui", List.of("ui", "design", "css", "layout", "button", "page", "screen", "style"),
          "test", List.of("test", "qa", "verify", "coverage"),
          "research", List.of("research", "investigate", "explore", "compare", "evaluate", "spike"),
          "urgent", List.of("urgent", "asap", "critical", "!!"));

  /** Labels for a card's text, in a stable order; "feature" when nothing matches. */
  static List<String> labelsFor(String text) {
    String t = " " + text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9!]+", " ") + " ";
    Set<String> out = new LinkedHashSet<>();
    for (String label : List.of("urgent", "bug", "docs", "ui", "test", "research")) {
      for (String k : KEYWORDS.get(label)) {
        if (t.contains(" " + k) || (k.equals("!!") && t.contains("!!"))) {
          out.add(label);
        }
      }
    }
    if (out.isEmpty() || (out.size() == 1 && out.contains("urgent"))) {
      out.add("feature");
    }
    return List.copyOf(out);
  }

  static List<String> stepsFor(Card c) {
    String t = c.title();
    List<String> labels = c.labels();
    if (labels.contains("bug")) {
      return List.of("Reproduce: " + t, "Fix the cause", "Add a regression test");
    }
    if (labels.contains("docs")) {
      return List.of("Outline: " + t, "Write the draft", "Review and publish");
    }
    if (labels.contains("research")) {
      return List.of("Collect sources: " + t, "Compare the options", "Write up a recommendation");
    }
    if (labels.contains("test")) {
      return List.of("List the cases: " + t, "Write the tests", "Run them in CI");
    }
    return List.of("Design: " + t, "Build it", "Try it end to end");
  }
}
