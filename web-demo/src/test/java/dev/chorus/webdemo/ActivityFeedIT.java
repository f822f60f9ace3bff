package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

/**
 * The Activity feed is told from the session's history: the same for everyone, with titles, with
 * your own edits, with what happened while you were offline, after a reload; people and agents can
 * be shown apart.
 */
class ActivityFeedIT extends BoardTestBase {

  private String taskKey(String s, String title) throws Exception {
    var tasks = state(s).at("/doc/tasks");
    var it = tasks.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      if (title.equals(tasks.get(k).path("title").asText())) {
        return k;
      }
    }
    throw new AssertionError("no task " + title);
  }

  @Test
  void everyoneSeesTheSameFeedFromTheHistoryAlsoAfterBeingOfflineAndAfterAReload()
      throws Exception {
    String s = newSession("feed");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");

    addCard(alice, "todo", "Plan the offsite");
    await().atMost(Duration.ofSeconds(10)).until(() -> hasCard(alice, "Plan the offsite"));
    editField(alice, "Plan the offsite", "labels", "docs");
    alice.find("#task-add-input").sendKeys("Book flights\n");
    await("Bob has it all")
        .atMost(Duration.ofSeconds(10))
        .until(() -> bob.findAll(".task").size() == 1 && hasCard(bob, "Plan the offsite"));

    bob.find("#offline-toggle").click();
    await().until(() -> "offline".equals(bob.find("#conn").getAttribute("data-status")));
    editField(alice, "Plan the offsite", "title", "Plan the spring offsite");
    clickInCard(alice, "Plan the spring offsite", ".card-del");
    // an agent, through the REST API, while Bob is away
    postWith(
        s,
        "/ops",
        agentToken("planner", s),
        "{\"ops\":[{\"op\":\"set\",\"path\":\"tasks/"
            + taskKey(s, "Book flights")
            + "/status\",\"value\":\"done\"}]}",
        "planner-1");

    List<String> expected =
        List.of(
            "planner marked task “Book flights” Done",
            "Alice deleted card “Plan the spring offsite”",
            "Alice renamed “Plan the offsite” to “Plan the spring offsite”",
            "Alice added task “Book flights”",
            "Alice labelled “Plan the offsite” docs",
            "Alice added card “Plan the offsite” to To do");
    await("Alice's feed has her own edits and the agent's, with titles")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertEquals(expected, feed(alice)));
    bob.find("#offline-toggle").click();
    awaitOnline(bob);
    await("Bob's feed, back online, is the same — with what happened while he was away")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertEquals(expected, feed(bob)));

    bob.on().navigate().refresh();
    awaitOnline(bob);
    await("the same after a reload")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertEquals(expected, feed(bob)));
    for (String line : feed(bob)) {
      assertFalse(line.contains("undefined"), line);
      assertFalse(line.matches(".*“t[0-9a-z]{8,}”.*"), "a task id instead of its title: " + line);
    }

    // people and agents apart
    assertEquals(
        List.of("agent", "human", "human", "human", "human", "human"),
        bob.js(
            "return [...document.querySelectorAll('#feed .feed-item')].map(li => li.dataset.kind)"));
    bob.find("#feed-filter button[data-filter='agent']").click();
    List<WebElement> shown =
        bob.findAll("#feed .feed-item").stream().filter(WebElement::isDisplayed).toList();
    assertEquals(1, shown.size());
    assertContains(shown.get(0).getText(), "planner marked task");
    bob.find("#feed-filter button[data-filter='human']").click();
    assertEquals(
        List.of("Alice", "Alice", "Alice", "Alice", "Alice"),
        bob.findAll("#feed .feed-item").stream()
            .filter(WebElement::isDisplayed)
            .map(e -> e.getAttribute("data-actor"))
            .toList(),
        "only people");
    phone(bob, 390, 844);
    bob.js("document.getElementById('feed-panel').scrollIntoView()");
    screenshot(bob, "feed-phone");
  }
}
