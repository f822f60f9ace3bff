package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A claim the server releases says why — its holder disconnected, or its lease ran out — in
 * everyone's feed, and the holder is told when he comes back.
 */
class ClaimReleaseIT extends BoardTestBase {

  private static final String TASK = ".task .task-claim";

  @Test
  void aClaimReleasedBecauseItsHolderLeftSaysSoAndTellsHimWhenHeIsBack() throws Exception {
    String s = newSession("claims");
    User alice = open(s, "Alice");
    User bob = open(s, "Bob");
    bob.find("#task-add-input").sendKeys("Book flights\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> !alice.findAll(".task").isEmpty());
    await("Bob's task is stored")
        .atMost(Duration.ofSeconds(10))
        .until(() -> state(s).at("/doc/tasks").size() == 1);
    bob.find(".task .claim-btn").click();
    await("Alice sees Bob's claim")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertContains(alice.find(TASK).getText(), "held by Bob"));

    bob.find("#offline-toggle").click();
    await("Bob's tab says what going offline does to his claim")
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertContains(
                    bob.find(TASK).getText(), "you are offline: the server releases your claim"));
    await("Alice's feed says why the claim went")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals(
                  "Server released Bob's claim on “Book flights” — Bob disconnected",
                  feed(alice).get(0));
              assertTrue(!alice.find(TASK).getText().contains("held by"), "no holder shown");
            });
    screenshot(bob, "offline-claim");

    bob.find("#offline-toggle").click();
    awaitOnline(bob);
    await("Bob is told when he is back")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertContains(
                  bob.find("#toasts").getText(),
                  "The server released your claim on “Book flights”");
              assertContains(bob.find("#toasts").getText(), "you were disconnected");
              assertEquals(feed(alice), feed(bob));
            });
    phone(bob, 390, 844);
    screenshot(bob, "claim-released-phone");
  }

  @Test
  void aClaimWhoseLeaseRanOutSaysSo() throws Exception {
    String s = newSession("lease");
    User alice = open(s, "Alice");
    alice.find("#task-add-input").sendKeys("Write the notes\n");
    await("stored")
        .atMost(Duration.ofSeconds(10))
        .until(() -> state(s).at("/doc/tasks").size() == 1);
    String key = state(s).at("/doc/tasks").fieldNames().next();
    // an agent claims it with a one-second lease and never renews it
    postWith(
        s,
        "/ops",
        agentToken("planner", s),
        "{\"ops\":[{\"op\":\"claim\",\"path\":\"tasks/" + key + "\",\"leaseMs\":1000}]}",
        "claim-1");
    await("the feed says the lease ran out")
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertEquals(
                    "Server released planner's claim on “Write the notes” — its lease ran out",
                    feed(alice).get(0)));
    assertEquals("planner claimed task “Write the notes”", feed(alice).get(1));
  }
}
