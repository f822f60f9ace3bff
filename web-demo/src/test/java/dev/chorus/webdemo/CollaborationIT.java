package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Two people on one board, each in their own browser window. */
class CollaborationIT extends BoardTestBase {

  @Test
  void cardAddedByOneAppearsForTheOtherAndADragIsSharedIdentically() throws Exception {
    String s = newSession("collab");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");

    addCard(alice, "todo", "Write the launch post");
    addCard(bob, "doing", "Fix the login bug");
    await("both see both cards")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertEquals(List.of("Write the launch post"), columnTitles(u, "todo"), u.name);
                assertEquals(List.of("Fix the login bug"), columnTitles(u, "doing"), u.name);
              }
            });
    // Presence: Bob starts editing a title; Alice sees who edits what, live.
    card(bob, "Fix the login bug")
        .findElement(By.cssSelector(".field[data-field='title']"))
        .click();
    await("Alice sees Bob editing the title")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertContains(
                  card(alice, "Fix the login bug")
                      .findElement(By.cssSelector(".card-presence"))
                      .getText(),
                  "Bob · title");
              assertContains(
                  alice.find("#people").getText(), "editing the title of “Fix the login bug”");
            });
    screenshot(alice, "presence");
    bob.find(".card .editor").sendKeys(org.openqa.selenium.Keys.ESCAPE);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                card(alice, "Fix the login bug")
                    .findElement(By.cssSelector(".card-presence"))
                    .getText()
                    .isEmpty());

    String idBefore = card(bob, "Write the launch post").getAttribute("data-id");
    await().atMost(Duration.ofSeconds(5)).until(() -> !idBefore.startsWith("~"));

    // Alice drags her card into Doing, below Bob's.
    WebElement dragged = card(alice, "Write the launch post");
    WebElement target = card(alice, "Fix the login bug");
    alice
        .actions()
        .clickAndHold(dragged)
        .moveByOffset(10, 10)
        .moveToElement(target)
        .moveToElement(target, 0, target.getSize().height / 2 + 20)
        .release()
        .perform();

    List<String> expected = List.of("Fix the login bug", "Write the launch post");
    await("the drag shows identically on both boards")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertEquals(expected, columnTitles(u, "doing"), u.name);
                assertEquals(List.of(), columnTitles(u, "todo"), u.name);
              }
            });
    // same element on both sides: a move keeps the card's identity
    assertEquals(idBefore, card(alice, "Write the launch post").getAttribute("data-id"));
    assertEquals(idBefore, card(bob, "Write the launch post").getAttribute("data-id"));
    assertEquals(
        "doing",
        card(bob, "Write the launch post")
            .findElement(By.cssSelector(".field[data-field='status']"))
            .getAttribute("data-status"));

    JsonNode st = state(s);
    assertEquals(expected, serverTitles(st, "doing"));
    assertEquals(List.of(), serverTitles(st, "todo"));
    JsonNode moved = serverCards(st, "doing").get(1);
    assertEquals(idBefore, moved.get("id").asText());
    assertEquals("doing", moved.at("/value/status").asText());
    screenshot(bob, "after-drag");
  }

  @Test
  void staleWritesToOneFieldShowAConflictThatOneResolvesForBoth() throws Exception {
    String s = newSession("conflict");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");
    addCard(alice, "todo", "Plan the offsite");
    await().atMost(Duration.ofSeconds(10)).until(() -> hasCard(bob, "Plan the offsite"));

    // Bob drops off the network and, from his now stale view, assigns the card to himself;
    // meanwhile Alice assigns it to herself.
    bob.find("#offline-toggle").click();
    await().until(() -> "offline".equals(bob.find("#conn").getAttribute("data-status")));
    editField(bob, "Plan the offsite", "assignee", "Bob");
    await().untilAsserted(() -> assertContains(bob.find("#banner").getText(), "1 edit queued"));
    editField(alice, "Plan the offsite", "assignee", "Alice");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "Alice"
                    .equals(
                        state(s).at("/doc/board/columns/0/value/cards/0/value/assignee").asText()));
    bob.find("#offline-toggle").click();
    awaitOnline(bob);

    await("both see the conflict badge")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertEquals(
                    1,
                    card(u, "Plan the offsite")
                        .findElements(By.cssSelector(".conflict-badge"))
                        .size(),
                    u.name);
              }
            });
    JsonNode conflicts = get(s, "/conflicts").get("conflicts");
    assertEquals(1, conflicts.size());
    assertEquals("concurrent_assignment", conflicts.get(0).get("kind").asText());

    // Bob opens it: both intents, with author and kind.
    clickInCard(bob, "Plan the offsite", ".conflict-badge");
    await().untilAsserted(() -> assertEquals(2, bob.findAll("#conflict-dialog .intent").size()));
    List<WebElement> intents = bob.findAll("#conflict-dialog .intent");
    assertEquals(
        List.of("Alice", "Bob"),
        intents.stream().map(i -> i.getAttribute("data-author")).sorted().toList());
    for (WebElement i : intents) {
      assertEquals("human", i.getAttribute("data-kind"));
      assertContains(i.getText(), i.getAttribute("data-author"));
      assertContains(i.getText().toLowerCase(java.util.Locale.ROOT), "human");
    }
    screenshot(bob, "conflict-dialog");

    // Instead of picking one, Bob writes a value of his own: it has seen both, so it resolves.
    WebElement write = bob.find("#conflict-dialog .write-input");
    write.clear();
    write.sendKeys("Alice and Bob\n");

    await("the badge disappears for both")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (User u : List.of(alice, bob)) {
                assertTrue(
                    card(u, "Plan the offsite")
                        .findElements(By.cssSelector(".conflict-badge"))
                        .isEmpty(),
                    u.name);
                assertContains(
                    card(u, "Plan the offsite")
                        .findElement(By.cssSelector(".field[data-field='assignee']"))
                        .getText(),
                    "Alice and Bob");
              }
            });
    JsonNode st = state(s);
    assertEquals(0, st.get("conflicts").size());
    assertEquals("Alice and Bob", serverCards(st, "todo").get(0).at("/value/assignee").asText());
    screenshot(alice, "resolved");
  }

  @Test
  void everyFieldEditsInPlaceAndThePlanAndTaskListAreShared() throws Exception {
    String s = newSession("panels");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");
    addCard(alice, "todo", "Ship the beta");
    await().atMost(Duration.ofSeconds(10)).until(() -> hasCard(bob, "Ship the beta"));

    editField(alice, "Ship the beta", "title", "Ship the public beta");
    editField(alice, "Ship the public beta", "description", "Invite list is in the doc.");
    editField(alice, "Ship the public beta", "assignee", "Bob");
    clickInCard(alice, "Ship the public beta", ".label-add");
    alice.find(".card .field[data-field='labels'] .editor").sendKeys("ui\n");
    card(alice, "Ship the public beta")
        .findElement(By.cssSelector(".field[data-field='status']"))
        .click();
    new org.openqa.selenium.support.ui.Select(alice.find(".card select.editor"))
        .selectByValue("doing");

    // a status that names a column moves the card there
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> columnTitles(bob, "doing").equals(List.of("Ship the public beta")));
    await("Bob sees every field")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              WebElement c = card(bob, "Ship the public beta");
              assertEquals(
                  "Invite list is in the doc.",
                  c.findElement(By.cssSelector(".field[data-field='description']")).getText());
              assertContains(
                  c.findElement(By.cssSelector(".field[data-field='assignee']")).getText(), "Bob");
              assertEquals(1, c.findElements(By.cssSelector(".label[data-label='ui']")).size());
              assertEquals(
                  "doing",
                  c.findElement(By.cssSelector(".field[data-field='status']"))
                      .getAttribute("data-status"));
            });
    JsonNode card = serverCard(state(s), "Ship the public beta").get("value");
    assertEquals("Invite list is in the doc.", card.get("description").asText());
    assertEquals("Bob", card.get("assignee").asText());
    assertEquals("doing", card.get("status").asText());
    assertEquals("ui", card.at("/labels/0/value").asText());

    // The plan: three steps; Alice drags the last to the top and finishes one.
    for (String step : List.of("One", "Two", "Three")) {
      alice.find("#plan-add-input").sendKeys(step + "\n");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> planTitles(bob).size() == 3);
    WebElement three = planStep(alice, "Three");
    WebElement one = planStep(alice, "One");
    alice
        .actions()
        .clickAndHold(three.findElement(By.cssSelector(".step-no")))
        .moveByOffset(0, -10)
        .moveToElement(one, 0, -one.getSize().height / 2 + 2)
        .release()
        .perform();
    planStep(alice, "One").findElement(By.cssSelector(".step-status")).click();
    await().until(() -> "doing".equals(planStep(alice, "One").getAttribute("data-status")));
    planStep(alice, "One").findElement(By.cssSelector(".step-status")).click();
    await("Bob sees the new order and the finished step")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals(List.of("Three", "One", "Two"), planTitles(bob));
              assertEquals("done", planStep(bob, "One").getAttribute("data-status"));
            });
    List<String> serverPlan = new java.util.ArrayList<>();
    state(s).at("/doc/plan").forEach(p -> serverPlan.add(p.at("/value/title").asText()));
    assertEquals(List.of("Three", "One", "Two"), serverPlan);

    // Tasks: Bob adds one, Alice claims it and checks it off.
    bob.find("#task-add-input").sendKeys("Order the pizza\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> alice.findAll("#tasks .task").size() == 1);
    alice.find("#tasks .task .claim-btn").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertContains(bob.find("#tasks .task").getText(), "held by Alice"));
    alice.find("#tasks .task .task-check").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertEquals("done", bob.find("#tasks .task").getAttribute("data-status")));
    JsonNode task = state(s).at("/doc/tasks").elements().next();
    assertEquals("done", task.get("status").asText());
    assertEquals("Alice", task.at("/claim/actor").asText());
    screenshot(bob, "panels");
  }

  private List<String> planTitles(User u) {
    return u.findAll("#plan .step .step-title").stream().map(e -> e.getText().trim()).toList();
  }

  private WebElement planStep(User u, String title) {
    return u.findAll("#plan .step").stream()
        .filter(e -> e.findElement(By.cssSelector(".step-title")).getText().trim().equals(title))
        .findFirst()
        .orElseThrow(() -> new AssertionError(u.name + " has no step " + title));
  }

  @Test
  void theLandingPageCreatesASessionAndTheSharedLinkBringsASecondPersonIn() throws Exception {
    User first = open(null, "unused");
    first.find("#join-name").sendKeys("Carol");
    WebElement session = first.find("#join-session");
    String s = newSession("landing");
    session.clear();
    session.sendKeys(s + "\n");
    awaitOnline(first);
    assertContains(first.on().getCurrentUrl(), "session=" + s);
    assertEquals(s, first.find("#session-chip").getText());
    addCard(first, "todo", "Hello from Carol");

    // the shared link (no name in it) in a new window: asks for a name, then joins
    User second = open(null, "unused");
    second.on().get(base() + "/?session=" + s);
    WebElement name = second.find("#join-name");
    name.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"));
    name.sendKeys("Dave\n");
    awaitOnline(second);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals(List.of("Hello from Carol"), columnTitles(second, "todo"));
              assertContains(first.find("#people").getText(), "Dave");
              assertContains(second.find("#people").getText(), "Carol");
            });
  }
}
