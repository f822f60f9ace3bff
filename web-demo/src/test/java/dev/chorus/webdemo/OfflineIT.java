package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Offline, reconnect and resume: queued edits arrive, and arrive exactly once. */
class OfflineIT extends BoardTestBase {

  /**
   * Every batch id in the session's history (the server knows them for changes made since it
   * started); fails if one appears twice.
   */
  private List<String> batchIds(String s) throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode c : history(s).get("changes")) {
      if (c.hasNonNull("batchId")) {
        ids.add(c.get("batchId").asText());
      }
    }
    Set<String> unique = new HashSet<>(ids);
    assertEquals(unique.size(), ids.size(), "a batch was applied twice: " + ids);
    return ids;
  }

  /**
   * How many times the history assigns {@code value} to a {@code key} (CRDT {@code mapSet} ops, in
   * the codec JSON of each change): a batch applied twice would show its assignments twice.
   */
  private long assignments(String s, String key, String value) throws Exception {
    long n = 0;
    for (JsonNode c : history(s).get("changes")) {
      for (JsonNode change : c.path("changes")) {
        for (JsonNode op : change.path("ops")) {
          if (op.path("op").asText().equals("mapSet")
              && key.equals(op.path("key").asText())
              && value.equals(op.path("value").asText())) {
            n++;
          }
        }
      }
    }
    return n;
  }

  @Test
  void editsMadeOfflineAreQueuedSurviveAReloadAndArriveExactlyOnce() throws Exception {
    String s = newSession("offline");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");

    alice.find("#offline-toggle").click();
    await().until(() -> "offline".equals(alice.find("#conn").getAttribute("data-status")));
    // the socket is really closed: the server sees one participant less
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.findAll("#people .person").size() == 1);

    addCard(alice, "todo", "Draft the agenda");
    await().until(() -> hasCard(alice, "Draft the agenda"));
    editField(alice, "Draft the agenda", "title", "Draft the offsite agenda");
    WebElement plan = alice.find("#plan-add-input");
    plan.sendKeys("Book a room\n");
    WebElement task = alice.find("#task-add-input");
    task.sendKeys("Send the invites\n");
    await()
        .untilAsserted(
            () -> {
              assertContains(alice.find("#banner").getText(), "4 edits queued");
              assertTrue(hasCard(alice, "Draft the offsite agenda"), "shown at once, offline");
              assertContains(alice.find("#plan").getText(), "Book a room");
            });
    screenshot(alice, "offline-queued");
    assertTrue(serverTitles(state(s), "todo").isEmpty(), "nothing reached the server yet");
    assertFalse(hasCard(bob, "Draft the agenda"));

    // A reload does not lose the queue (kept in the tab's sessionStorage); the new page connects
    // and sends it.
    alice.on().navigate().refresh();
    awaitOnline(alice);
    await("Bob sees every queued edit")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals(List.of("Draft the offsite agenda"), columnTitles(bob, "todo"));
              assertContains(bob.find("#plan").getText(), "Book a room");
              assertContains(bob.find("#tasks").getText(), "Send the invites");
              assertEquals("0", alice.find("#sync").getAttribute("data-pending"));
            });
    JsonNode st = state(s);
    assertEquals(List.of("Draft the offsite agenda"), serverTitles(st, "todo"));
    assertEquals(1, st.at("/doc/plan").size());
    assertEquals(1, st.at("/doc/tasks").size());
    assertEquals(1, assignments(s, "title", "Draft the agenda"));
    batchIds(s);
    assertEquals(0, st.get("conflicts").size(), "editing your own queued card is no conflict");

    // The connection drops after the server applied a batch but before its ack arrived: the
    // client re-sends it with the same batch id and the server applies it once.
    alice.js(
        "const c = window.chorus.client; const orig = c.onFrame.bind(c);"
            + "c.onFrame = (f) => { if (f.type === 'ack' && !window.droppedAck) {"
            + "  window.droppedAck = f.batchId; c.ws.close(); return; } orig(f); };");
    addCard(alice, "doing", "Ack lost in transit");
    await("resent after reconnect, acknowledged as a duplicate")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertTrue(alice.js("return window.droppedAck") != null);
              assertEquals(
                  1L,
                  ((Number) alice.js("return window.chorus.client.stats.duplicates")).longValue());
              assertEquals(List.of("Ack lost in transit"), columnTitles(bob, "doing"));
              assertEquals(List.of("Ack lost in transit"), columnTitles(alice, "doing"));
            });
    assertEquals(1, assignments(s, "title", "Ack lost in transit"));
    assertTrue(batchIds(s).contains((String) alice.js("return window.droppedAck")));
  }

  @Test
  void aServerRestartLosesNothingAndDuplicatesNothing() throws Exception {
    String s = newSession("restart");
    User alice = open(s, "Alice");
    addCard(alice, "todo", "Before the restart");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> serverTitles(state(s), "todo").equals(List.of("Before the restart")));

    server.stop();
    await("the board says it is offline")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertFalse("online".equals(alice.find("#conn").getAttribute("data-status")));
              assertFalse(alice.find("#banner").getAttribute("hidden") != null);
            });
    addCard(alice, "todo", "During the outage");
    editField(alice, "Before the restart", "description", "edited while the server was down");
    await().untilAsserted(() -> assertContains(alice.find("#banner").getText(), "queued"));
    screenshot(alice, "server-down");

    server = startServer(port); // same port, same data directory
    awaitOnlineLong(alice); // on its own: the client's backoff brings it back
    await("the queued edits reach the server once")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode st = state(s);
              assertEquals(
                  List.of("Before the restart", "During the outage"), serverTitles(st, "todo"));
              assertEquals(
                  "edited while the server was down",
                  serverCard(st, "Before the restart").at("/value/description").asText());
            });
    assertEquals(1, assignments(s, "title", "Before the restart"));
    assertEquals(1, assignments(s, "title", "During the outage"));
    assertEquals(1, assignments(s, "description", "edited while the server was down"));
    batchIds(s);

    User bob = open(s, "Bob");
    assertEquals(List.of("Before the restart", "During the outage"), columnTitles(bob, "todo"));
    assertEquals(
        "edited while the server was down",
        card(bob, "Before the restart")
            .findElement(By.cssSelector(".field[data-field='description']"))
            .getText());
    screenshot(bob, "after-restart");
  }

  private void awaitOnlineLong(User u) {
    awaitOnline(u, Duration.ofSeconds(45));
  }
}
