package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** The join form explains a session name the server would refuse, before anyone joins. */
class JoinFormIT extends BoardTestBase {

  private static final String NO_TOKEN_REQUESTED =
      "return performance.getEntriesByType('resource')"
          + ".filter(e => e.name.includes('/v1/demo/token')).length === 0";

  @Test
  void aBadSessionNameIsExplainedOnTheFormAndTheSuggestionJoins() throws Exception {
    User ann = open(null, "unused");
    ann.find("#join-name").sendKeys("Ann");
    WebElement session = ann.find("#join-session");
    session.sendKeys(Keys.chord(Keys.CONTROL, "a"), "Team board #1\n");

    WebElement error = ann.find("#join-error");
    await().atMost(Duration.ofSeconds(5)).until(error::isDisplayed);
    assertContains(error.getText(), "not space, “#”");
    assertContains(error.getText(), "Try “Team-board-1”");
    assertEquals(Boolean.FALSE, ann.js("return arguments[0].validity.valid", session));
    assertTrue(ann.find("#join").isDisplayed(), "still on the join form");
    assertFalse(ann.on().getCurrentUrl().contains("session="), "did not navigate");
    assertEquals(Boolean.TRUE, ann.js(NO_TOKEN_REQUESTED), "nothing was asked of the server");
    phone(ann, 390, 844);
    screenshot(ann, "bad-name-phone");

    // typing the suggestion clears the message, and it joins
    String good = "Team-board-" + newSession("j").replace('-', '.');
    session.sendKeys(Keys.chord(Keys.CONTROL, "a"), good);
    await().atMost(Duration.ofSeconds(5)).until(() -> !error.isDisplayed());
    session.sendKeys("\n");
    awaitOnline(ann);
    assertEquals(good, ann.find("#session-chip").getText());
  }

  @Test
  void aSharedLinkWithABadNameOpensTheFormNotADeadBoard() throws Exception {
    User bob = open(null, "unused");
    bob.on().get(base() + "/?session=Team%20board%20%231&name=Bob");
    WebElement error = bob.find("#join-error");
    await().atMost(Duration.ofSeconds(10)).until(error::isDisplayed);
    assertContains(error.getText(), "Only letters, digits");
    assertFalse(bob.find("#app").isDisplayed(), "no board behind it");
    assertEquals(Boolean.TRUE, bob.js(NO_TOKEN_REQUESTED));
  }

  @Test
  void aRefusalFromTheServerIsShownOnTheFormWithItsMessage() throws Exception {
    User cat = open(null, "unused");
    // the server's answer to a client it does not serve (demo mode is loopback only)
    beforeEveryPage(
        cat,
        "const realFetch = window.fetch;"
            + "window.fetch = (url, init) => String(url).includes('/v1/demo/token')"
            + " ? Promise.resolve(new Response(JSON.stringify({code: 'forbidden', message:"
            + " 'demo mode serves loopback clients only (see --demo-allow-remote)'}),"
            + " {status: 403, headers: {'Content-Type': 'application/json'}}))"
            + " : realFetch(url, init);");
    cat.on().get(base() + "/?session=" + newSession("refused") + "&name=Cat");
    WebElement error = cat.find("#join-error");
    await().atMost(Duration.ofSeconds(10)).until(error::isDisplayed);
    assertContains(error.getText(), "The server refused this board: demo mode serves loopback");
    assertFalse(cat.find("#app").isDisplayed(), "no board saying “connection lost”");
    assertEquals("offline", cat.js("return window.chorus.client.status"));
    assertEquals(Boolean.TRUE, cat.js("return window.chorus.client.manualOffline"), "no retries");
  }
}
