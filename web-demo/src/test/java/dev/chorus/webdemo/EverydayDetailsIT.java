package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Small things a newcomer notices: the token stays out of addresses, a deleted card can be undone,
 * your own "Here now" line follows you at once, the offline banner counts in English.
 */
class EverydayDetailsIT extends BoardTestBase {

  @Test
  void theWebsocketCarriesTheTokenAsASubprotocolNotInItsAddress() {
    User u = open(null, "unused");
    beforeEveryPage(
        u,
        "window.__sockets = []; const Real = window.WebSocket;"
            + "window.WebSocket = function (url, protocols) {"
            + " window.__sockets.push({url: String(url), protocols: protocols || []});"
            + " return new Real(url, protocols); };"
            + "window.WebSocket.prototype = Real.prototype;"
            + "Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});");
    u.on().get(base() + "/?session=" + newSession("quiet") + "&name=Uma");
    awaitOnline(u);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sockets = (List<Map<String, Object>>) u.js("return window.__sockets");
    assertFalse(sockets.isEmpty());
    for (Map<String, Object> s : sockets) {
      String url = String.valueOf(s.get("url"));
      assertFalse(url.contains("token=") || url.contains("eyJ"), "address: " + url);
      List<?> protocols = (List<?>) s.get("protocols");
      assertEquals("chorus.v1", protocols.get(0));
      assertTrue(String.valueOf(protocols.get(1)).startsWith("chorus.bearer.ey"), "a JWT");
    }
    assertEquals("chorus.v1", u.js("return window.chorus.client.ws.protocol"), "selected");
  }

  @Test
  void aDeletedCardComesBackWithUndo() throws Exception {
    String s = newSession("undo");
    User u = open(s, "Una");
    addCard(u, "doing", "Keep me");
    addCard(u, "doing", "After me");
    await().atMost(Duration.ofSeconds(10)).until(() -> hasCard(u, "After me"));
    editField(u, "Keep me", "labels", "urgent");
    await("stored")
        .atMost(Duration.ofSeconds(10))
        .until(() -> serverTitles(state(s), "doing").size() == 2 && !u.findAll(".label").isEmpty());

    clickInCard(u, "Keep me", ".card-del");
    await().atMost(Duration.ofSeconds(10)).until(() -> !hasCard(u, "Keep me"));
    assertContains(u.find("#toasts").getText(), "Deleted “Keep me”");
    u.find("#toasts .toast-action").click();
    await("it is back where it was, with its label, for everyone")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertEquals(List.of("Keep me", "After me"), columnTitles(u, "doing"));
              assertEquals(List.of("Keep me", "After me"), serverTitles(state(s), "doing"));
              assertEquals(
                  "urgent",
                  card(u, "Keep me")
                      .findElement(By.cssSelector(".label"))
                      .getAttribute("data-label"));
            });
    phone(u, 390, 844);
    screenshot(u, "undone-phone");
  }

  @Test
  void myOwnLineFollowsMeAtOnceAndTheBannerCountsOneEdit() {
    String s = newSession("me");
    User u = open(s, "Ola");
    addCard(u, "todo", "Write it");
    await().atMost(Duration.ofSeconds(10)).until(() -> hasCard(u, "Write it"));
    u.find("#offline-toggle").click();
    await().until(() -> "offline".equals(u.find("#conn").getAttribute("data-status")));
    // offline, no presence echo can come back from the server: the line is the tab's own
    card(u, "Write it").findElement(By.cssSelector(".field[data-field='title']")).click();
    assertContains(
        u.find("#people .person").getText(),
        "editing the title of “Write it” (offline — edits are queued)");
    u.find(".card .editor").sendKeys(" down\n");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertContains(
                    u.find("#banner").getText(),
                    "1 edit queued — it will be sent once you are back."));
  }
}
