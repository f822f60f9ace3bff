package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The demo agent works on the board over the public protocol; people see it and its conflicts. */
class DemoAgentIT extends BoardTestBase {

  @Test
  void agentTriagesAndPlansAndAHumanAgentConflictIsResolvedInTheDialog() throws Exception {
    String s = newSession("agent");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");
    addCard(alice, "todo", "Write release notes");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                hasCard(bob, "Write release notes")
                    && !card(alice, "Write release notes").getAttribute("data-id").startsWith("~"));

    // Alice drops off the network and, from there, assigns the card to herself.
    alice.find("#offline-toggle").click();
    editField(alice, "Write release notes", "assignee", "Alice");
    await().untilAsserted(() -> assertContains(alice.find("#banner").getText(), "1 edit queued"));

    // Bob starts the demo agent from the board.
    await("the agent is off by default")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertEquals("▶ Start demo agent", bob.find("#agent-toggle").getText()));
    bob.find("#agent-toggle").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals("■ Stop demo agent", bob.find("#agent-toggle").getText());
              assertTrue(
                  bob.findAll("#people .person[data-kind='agent']").size() == 1,
                  "the agent is listed as present, as an agent");
            });

    // It triages the card: labels it docs and takes it (its view does not have Alice's edit).
    await("the agent's triage shows on Bob's board")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              WebElement c = card(bob, "Write release notes");
              assertEquals(
                  1, c.findElements(By.cssSelector(".label[data-label='docs']")).size(), "label");
              assertContains(
                  c.findElement(By.cssSelector(".field[data-field='assignee']")).getText(),
                  "scout");
            });
    await("its work is in the feed, as an agent's")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertContains(
                    String.join("\n", feed(bob)), "scout labelled “Write release notes” docs"));
    assertEquals(
        "agent", bob.find("#feed .feed-item[data-actor='scout']").getAttribute("data-kind"));

    // Alice comes back: her queued assignment was based on a view without the agent's.
    alice.find("#offline-toggle").click();
    awaitOnline(alice);
    await("both see the human/agent conflict")
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertEquals(
                    1,
                    card(u, "Write release notes")
                        .findElements(By.cssSelector(".conflict-badge"))
                        .size(),
                    u.name);
              }
            });
    JsonNode conflict = get(s, "/conflicts").get("conflicts").get(0);
    List<String> kinds = new ArrayList<>();
    conflict.get("intents").forEach(i -> kinds.add(i.at("/author/kind").asText()));
    assertEquals(List.of("agent", "human"), kinds.stream().sorted().toList());

    clickInCard(alice, "Write release notes", ".conflict-badge");
    await().untilAsserted(() -> assertEquals(2, alice.findAll("#conflict-dialog .intent").size()));
    WebElement agentIntent = alice.find("#conflict-dialog .intent[data-kind='agent']");
    assertContains(agentIntent.getText(), "scout");
    assertContains(agentIntent.getText().toLowerCase(java.util.Locale.ROOT), "agent");
    screenshot(alice, "human-agent-conflict");
    alice
        .find("#conflict-dialog .intent[data-author='Alice'] button.pick")
        .click(); // Alice keeps her own value

    await("resolved for everyone")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertTrue(
                    card(u, "Write release notes")
                        .findElements(By.cssSelector(".conflict-badge"))
                        .isEmpty(),
                    u.name);
              }
              assertEquals(0, get(s, "/conflicts").get("conflicts").size());
            });
    assertEquals(
        "Alice", serverCard(state(s), "Write release notes").at("/value/assignee").asText());

    // Work in Doing gets a plan from the agent.
    addCard(bob, "doing", "Fix the crash on save");
    await("the agent splits the card into plan steps")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              List<WebElement> steps = bob.findAll("#plan .step");
              assertTrue(steps.size() >= 3, "steps: " + steps.size());
              assertContains(bob.find("#plan").getText(), "Reproduce: Fix the crash on save");
              assertContains(
                  card(bob, "Fix the crash on save")
                      .findElement(By.cssSelector(".steps"))
                      .getText(),
                  "/3");
            });
    screenshot(bob, "agent-at-work");

    // Stopping it takes it off the board.
    bob.find("#agent-toggle").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals("▶ Start demo agent", bob.find("#agent-toggle").getText());
              assertTrue(bob.findAll("#people .person[data-kind='agent']").isEmpty());
            });
  }
}
