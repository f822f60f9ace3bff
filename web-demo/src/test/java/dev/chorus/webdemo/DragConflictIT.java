package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Two concurrent drags of one card open two conflicts (its column and its status, both written by
 * each drag); the board asks one question, where the card goes, and one answer resolves both.
 */
class DragConflictIT extends BoardTestBase {

  @Test
  void concurrentDragsAreOneDecisionThatSetsColumnAndStatusTogether() throws Exception {
    String s = newSession("drags");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");
    addCard(alice, "todo", "Pick a venue");
    await("Bob sees the card, stored")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                hasCard(bob, "Pick a venue")
                    && !card(bob, "Pick a venue").getAttribute("data-id").startsWith("~"));

    bob.find("#offline-toggle").click();
    await().until(() -> "offline".equals(bob.find("#conn").getAttribute("data-status")));
    dragToColumn(bob, "Pick a venue", "done");
    await().atMost(Duration.ofSeconds(5)).until(() -> columnTitles(bob, "done").size() == 1);
    dragToColumn(alice, "Pick a venue", "doing");
    await("Alice's drag is stored")
        .atMost(Duration.ofSeconds(10))
        .until(() -> serverTitles(state(s), "doing").equals(List.of("Pick a venue")));
    bob.find("#offline-toggle").click();
    awaitOnline(bob);

    await("the server holds both conflicts of the two drags")
        .atMost(Duration.ofSeconds(15))
        .until(() -> get(s, "/conflicts").get("conflicts").size() == 2);
    List<String> kinds = new ArrayList<>();
    get(s, "/conflicts").get("conflicts").forEach(c -> kinds.add(c.get("kind").asText()));
    assertEquals(
        List.of("concurrent_assignment", "move_vs_move"), kinds.stream().sorted().toList());
    await("each board shows one conflict to decide")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertEquals(
                    "⚡ conflict",
                    card(u, "Pick a venue")
                        .findElement(By.cssSelector(".conflict-badge"))
                        .getText(),
                    u.name);
              }
            });

    phone(bob, 390, 844);
    clickInCard(bob, "Pick a venue", ".conflict-badge");
    WebElement dialog = bob.find("#conflict-dialog");
    await().atMost(Duration.ofSeconds(5)).until(dialog::isDisplayed);
    List<WebElement> sections = dialog.findElements(By.cssSelector("section.conflict"));
    assertEquals(1, sections.size(), "one decision for the pair");
    assertEquals("placement", sections.get(0).getAttribute("data-kind"));
    WebElement mine = dialog.findElement(By.cssSelector(".intent[data-author='Bob']"));
    WebElement hers = dialog.findElement(By.cssSelector(".intent[data-author='Alice']"));
    assertContains(mine.getText(), "→ Done · status Done");
    assertContains(hers.getText(), "→ Doing · status Doing");
    assertWithin("the dialog", rect(bob, dialog), new double[] {0, 0, 390, 844});
    screenshot(bob, "placement-dialog-phone");

    hers.findElement(By.cssSelector(".pick")).click();
    await("one answer resolves both conflicts")
        .atMost(Duration.ofSeconds(10))
        .until(() -> get(s, "/conflicts").get("conflicts").isEmpty());
    JsonNode card = serverCard(state(s), "Pick a venue");
    assertEquals(List.of("Pick a venue"), serverTitles(state(s), "doing"));
    assertEquals("doing", card.at("/value/status").asText());
    await("both boards agree: in Doing, status Doing, no badge")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertEquals(List.of("Pick a venue"), columnTitles(u, "doing"), u.name);
                WebElement c = card(u, "Pick a venue");
                assertEquals(
                    "doing",
                    c.findElement(By.cssSelector(".field[data-field='status']"))
                        .getAttribute("data-status"),
                    u.name);
                assertEquals(0, c.findElements(By.cssSelector(".conflict-badge")).size(), u.name);
              }
            });
  }
}
