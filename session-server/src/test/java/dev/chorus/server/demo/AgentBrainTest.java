package dev.chorus.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo agent's decisions on wire documents (no server). */
class AgentBrainTest {
  static final ObjectMapper M = new ObjectMapper();
  final AgentBrain brain = new AgentBrain("scout");

  static JsonNode board(String todo, String doing, String done, String plan) throws Exception {
    return M.readTree(
        ("{'board':{'columns':["
                + "{'id':'1@n','value':{'id':'todo','title':'To do','cards':[%s]}},"
                + "{'id':'2@n','value':{'id':'doing','title':'Doing','cards':[%s]}},"
                + "{'id':'3@n','value':{'id':'done','title':'Done','cards':[%s]}}]},"
                + "'plan':[%s],'tasks':{},'instructions':[]}")
            .formatted(todo, doing, done, plan)
            .replace('\'', '"'));
  }

  static String card(String id, String title, String extra) {
    return "{'id':'%s','value':{'title':'%s','assignee':null,'labels':[]%s}}"
        .formatted(id, title, extra);
  }

  @Test
  void labelsComeFromTheTitle() {
    assertEquals(List.of("docs"), AgentBrain.labelsFor("Write release notes"));
    assertEquals(List.of("bug"), AgentBrain.labelsFor("Fix the crash on save"));
    assertEquals(List.of("urgent", "bug"), AgentBrain.labelsFor("URGENT: login broken"));
    assertEquals(List.of("feature"), AgentBrain.labelsFor("Dark mode"));
  }

  @Test
  void triagesANewCardAndTakesAgentWork() throws Exception {
    JsonNode doc = board(card("9@n", "Write release notes", ",'status':'todo'"), "", "", "");
    AgentBrain.Action a = brain.decide(doc, Set.of(), new AgentBrain.Memory()).orElseThrow();
    assertEquals("triage", a.kind());
    assertEquals(
        M.readTree(
            """
            [{"op":"insert","path":"board/columns/1@n/cards/9@n/labels","after":null,"value":"docs"},
             {"op":"set","path":"board/columns/1@n/cards/9@n/assignee","value":"scout"}]"""),
        a.ops());
    assertTrue(a.narration().contains("I'll take it"));
  }

  @Test
  void leavesConflictedCardsAloneAndDoesNotRepeatItself() throws Exception {
    JsonNode doc = board(card("9@n", "Dark mode", ""), "", "", "");
    assertEquals(Optional.empty(), brain.decide(doc, Set.of("9@n"), new AgentBrain.Memory()));
    AgentBrain.Memory mem = new AgentBrain.Memory();
    assertEquals("triage", brain.decide(doc, Set.of(), mem).orElseThrow().kind());
    // a human removed the labels again: the agent does not fight over it
    assertEquals(Optional.empty(), brain.decide(doc, Set.of(), mem));
  }

  @Test
  void plansWorkInDoingAndFinishesItWhenAllStepsAreDone() throws Exception {
    String c =
        "{'id':'9@n','value':{'title':'Fix it','assignee':'scout','labels':[{'id':'4@n','value':'bug'}],'status':'doing'}}";
    AgentBrain.Memory mem = new AgentBrain.Memory();
    AgentBrain.Action plan = brain.decide(board("", c, "", ""), Set.of(), mem).orElseThrow();
    assertEquals("plan", plan.kind());
    assertEquals(3, plan.ops().size());
    assertEquals("Reproduce: Fix it", plan.ops().get(0).at("/value/title").asText());
    assertEquals("$0", plan.ops().get(1).get("after").asText());

    String steps =
        "{'id':'20@n','value':{'title':'a','status':'done','card':'9@n'}},"
            + "{'id':'21@n','value':{'title':'b','status':'todo','card':'9@n'}}";
    AgentBrain.Action work = brain.decide(board("", c, "", steps), Set.of(), mem).orElseThrow();
    assertEquals("work", work.kind());
    assertEquals("plan/21@n/status", work.ops().get(0).get("path").asText());
    assertEquals("doing", work.ops().get(0).get("value").asText());

    String allDone = steps.replace("'todo'", "'done'");
    AgentBrain.Action finish = brain.decide(board("", c, "", allDone), Set.of(), mem).orElseThrow();
    assertEquals("finish", finish.kind());
    assertEquals("move", finish.ops().get(1).get("op").asText());
    assertEquals("board/columns/3@n/cards", finish.ops().get(1).get("to").asText());
  }
}
