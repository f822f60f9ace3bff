package dev.chorus.webdemo;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.crdt.ActorKind;
import dev.chorus.server.ChorusServer;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.auth.Role;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * One in-process Chorus node (demo mode, temp data dir, free localhost port) and one headless
 * Chromium per test class; one browser window per simulated user. Nothing is downloaded: the Debian
 * chromium and chromedriver are given explicitly.
 */
abstract class BoardTestBase {
  static final String SECRET = "web-demo-test-secret-0123456789-abcdefghijklmnop";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final AtomicInteger SESSIONS = new AtomicInteger();

  static ChorusServer server;
  static Path dataDir;
  static int port;
  static ChromeDriver driver;
  static ChromeDriverService service;
  private static String firstWindow;
  private final List<User> users = new ArrayList<>();

  /** A person on the board: one browser window. */
  final class User {
    final String name;
    final String window;

    User(String name, String window) {
      this.name = name;
      this.window = window;
    }

    /** Makes this user's window the one the driver talks to; returns the driver. */
    WebDriver on() {
      if (!window.equals(driver.getWindowHandle())) {
        driver.switchTo().window(window);
      }
      return driver;
    }

    Object js(String script, Object... args) {
      return ((JavascriptExecutor) on()).executeScript(script, args);
    }

    WebElement find(String css) {
      return on().findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
      return on().findElements(By.cssSelector(css));
    }

    Actions actions() {
      return new Actions(on());
    }
  }

  @BeforeAll
  static void startNodeAndBrowser() throws Exception {
    Path base = Path.of("target", "it-data");
    Files.createDirectories(base);
    dataDir = Files.createTempDirectory(base, "board-");
    server = startServer(0);
    port = server.port();

    String chromedriver = System.getProperty("chorus.chromedriver", "/usr/bin/chromedriver");
    String chromium = System.getProperty("chorus.chromium", "/usr/bin/chromium");
    System.setProperty("webdriver.chrome.driver", chromedriver);
    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver))
            .usingAnyFreePort()
            .build();
    Path profile = Files.createTempDirectory(Path.of("target"), "chrome-profile-");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium);
    o.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        "--window-size=1500,950",
        "--user-data-dir=" + profile.toAbsolutePath());
    driver = new ChromeDriver(service, o);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    firstWindow = driver.getWindowHandle();
  }

  static ChorusServer startServer(int p) throws Exception {
    String[] args = {
      "--port",
      Integer.toString(p),
      "--data-dir",
      dataDir.toString(),
      "--jwt-secret",
      SECRET,
      "--hazelcast",
      "false",
      "--replica-id",
      "n1",
      "--demo"
    };
    return ChorusServer.start(ServerConfig.parse(args, Map.of()));
  }

  @AfterAll
  static void stopNodeAndBrowser() {
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (server != null) {
      server.stop();
    }
  }

  /** Closes every window this test opened (the browser stays for the next test). */
  @AfterEach
  void closeUsers() {
    List<String> errors = new ArrayList<>();
    for (User u : users) {
      try {
        Object e = u.js("return window.chorus && window.chorus.errors ? window.chorus.errors : []");
        if (e instanceof List<?> l && !l.isEmpty()) {
          errors.add(u.name + ": " + l);
        }
      } catch (RuntimeException ex) {
        // window gone
      }
    }
    for (User u : users) {
      try {
        driver.switchTo().window(u.window);
        driver.close();
      } catch (RuntimeException e) {
        // already gone
      }
    }
    users.clear();
    driver.switchTo().window(firstWindow);
    if (!errors.isEmpty()) {
      throw new AssertionError("uncaught errors in the board: " + errors);
    }
  }

  static String newSession(String prefix) {
    return prefix + "-" + SESSIONS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Opens the board for {@code name} in a new window and waits until it is online; with a null
   * session, opens the landing page instead.
   */
  User open(String session, String name) {
    driver.switchTo().window(firstWindow);
    driver.switchTo().newWindow(WindowType.WINDOW);
    User u = new User(name, driver.getWindowHandle());
    users.add(u);
    driver
        .manage()
        .window()
        .setSize(new org.openqa.selenium.Dimension(1500, 950)); // new windows start small
    if (session == null) {
      driver.get(base() + "/");
      await().atMost(Duration.ofSeconds(10)).until(() -> u.find("#join-name").isDisplayed());
      return u;
    }
    driver.get(
        base()
            + "/?session="
            + URLEncoder.encode(session, StandardCharsets.UTF_8)
            + "&name="
            + URLEncoder.encode(name, StandardCharsets.UTF_8));
    awaitOnline(u);
    return u;
  }

  void awaitOnline(User u) {
    awaitOnline(u, Duration.ofSeconds(30));
  }

  void awaitOnline(User u, Duration atMost) {
    try {
      await("board online for " + u.name)
          .atMost(atMost)
          .until(() -> "online".equals(u.find("#conn").getAttribute("data-status")));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(u.name + " not online; " + clientState(u), e);
    }
  }

  /** The board's connection state, for failure messages. */
  String clientState(User u) {
    try {
      return "url="
          + u.on().getCurrentUrl()
          + " client="
          + u.js(
              "const c = window.chorus && window.chorus.client; if (!c) return 'no client, ready='"
                  + " + document.readyState + ', chorus=' + typeof window.chorus + ', bootErrors='"
                  + " + JSON.stringify(window.bootErrors) + ', resources='"
                  + " + JSON.stringify(performance.getEntriesByType('resource').map(e => [e.name,"
                  + " e.responseStatus, e.transferSize, e.decodedBodySize]));"
                  + " return JSON.stringify({status: c.status,"
                  + " reason: c.offlineReason, stats: c.stats, attempt: c.attempt,"
                  + " dueIn: c.reconnectDueAt - Date.now(), ws: !!c.ws,"
                  + " wsState: c.ws && c.ws.readyState, errors: window.chorus.errors})");
    } catch (RuntimeException ex) {
      return "state unavailable: " + ex;
    }
  }

  // ---------------------------------------------------------------- DOM helpers

  /** Card titles of a column ("todo", "doing", "done"), top to bottom. */
  List<String> columnTitles(User u, String col) {
    List<String> out = new ArrayList<>();
    for (WebElement t : u.findAll(".column[data-col='" + col + "'] .card .title")) {
      out.add(t.getText().trim());
    }
    return out;
  }

  WebElement card(User u, String title) {
    for (WebElement c : u.findAll(".card")) {
      if (c.findElement(By.cssSelector(".title")).getText().trim().equals(title)) {
        return c;
      }
    }
    throw new AssertionError(u.name + " sees no card titled " + title);
  }

  /**
   * Clicks {@code css} inside the card titled {@code title}. The board re-renders a card whenever a
   * change touches it (an agent may be working on it), so an element found a moment ago can be
   * gone, or still sliding into view (a scroll snap settling): look it up again and retry, within a
   * bound.
   */
  void clickInCard(User u, String title, String css) {
    await("click " + css + " on " + title)
        .atMost(Duration.ofSeconds(10))
        // One predicate for both: each ignoreException call replaces the previous one.
        .ignoreExceptionsMatching(
            e ->
                e instanceof org.openqa.selenium.StaleElementReferenceException
                    || e instanceof org.openqa.selenium.ElementClickInterceptedException)
        .untilAsserted(() -> card(u, title).findElement(By.cssSelector(css)).click());
  }

  boolean hasCard(User u, String title) {
    return u.findAll(".card .title").stream().anyMatch(t -> t.getText().trim().equals(title));
  }

  void addCard(User u, String col, String title) {
    WebElement in = u.find(".column[data-col='" + col + "'] .add-card input");
    in.click();
    in.sendKeys(title + "\n");
  }

  /** Drags the card titled {@code title} to the end of column {@code col} with the pointer. */
  void dragToColumn(User u, String title, String col) {
    WebElement list = u.find(".column[data-col='" + col + "'] .cards");
    u.actions()
        .clickAndHold(card(u, title))
        .moveByOffset(10, 10)
        .moveToElement(list)
        .moveToElement(list, 0, list.getSize().height / 2 - 4)
        .release()
        .perform();
  }

  /** Clicks a card field and types a new value (Enter commits). */
  void editField(User u, String cardTitle, String field, String value) {
    WebElement f =
        card(u, cardTitle).findElement(By.cssSelector(".field[data-field='" + field + "']"));
    f.click();
    WebElement editor = u.find(".card .field[data-field='" + field + "'] .editor");
    editor.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"));
    if ("textarea".equals(editor.getTagName())) {
      editor.sendKeys(value);
      editor.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "\n"));
    } else {
      editor.sendKeys(value + "\n");
    }
  }

  /**
   * Makes {@code u}'s window a phone: a {@code width} x {@code height} CSS-pixel viewport at device
   * scale 2 that honours the page's meta viewport (Chromium's device emulation, as DevTools does).
   */
  void phone(User u, int width, int height) {
    u.on();
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 2, "mobile", true));
    await("viewport " + width)
        .atMost(Duration.ofSeconds(5))
        .until(() -> ((Number) u.js("return window.innerWidth")).intValue() == width);
  }

  /** Makes {@code u}'s window a touch screen (coarse pointer, no hover), as a phone's. */
  void touchScreen(User u) {
    u.on();
    driver.executeCdpCommand(
        "Emulation.setTouchEmulationEnabled", Map.of("enabled", true, "maxTouchPoints", 5));
    await("a coarse pointer")
        .atMost(Duration.ofSeconds(5))
        .until(() -> Boolean.TRUE.equals(u.js("return matchMedia('(pointer: coarse)').matches")));
  }

  /** Runs {@code script} in {@code u}'s window before any script of every page it loads next. */
  void beforeEveryPage(User u, String script) {
    u.on();
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
  }

  /** How far the page scrolls sideways (0 when it fits its viewport). */
  int sidewaysScroll(User u) {
    return ((Number)
            u.js(
                "return Math.max(document.documentElement.scrollWidth,"
                    + " document.body.scrollWidth) - document.documentElement.clientWidth"))
        .intValue();
  }

  /** {left, top, right, bottom} of an element in CSS pixels. */
  static double[] rect(User u, WebElement e) {
    @SuppressWarnings("unchecked")
    List<Number> r =
        (List<Number>)
            u.js(
                "const r = arguments[0].getBoundingClientRect();"
                    + " return [r.left, r.top, r.right, r.bottom];",
                e);
    return new double[] {
      r.get(0).doubleValue(), r.get(1).doubleValue(), r.get(2).doubleValue(), r.get(3).doubleValue()
    };
  }

  /** Fails unless {@code inner} lies within {@code outer} (half a pixel of rounding allowed). */
  static void assertWithin(String what, double[] inner, double[] outer) {
    if (inner[0] < outer[0] - 0.5
        || inner[1] < outer[1] - 0.5
        || inner[2] > outer[2] + 0.5
        || inner[3] > outer[3] + 0.5) {
      throw new AssertionError(
          what
              + " "
              + java.util.Arrays.toString(inner)
              + " is not within "
              + java.util.Arrays.toString(outer));
    }
  }

  void screenshot(User u, String name) throws IOException {
    Path dir = Path.of(System.getProperty("chorus.screenshots", "target/screenshots"));
    Files.createDirectories(dir);
    // a window that was in the background paints its next frame first
    try {
      ((JavascriptExecutor) u.on())
          .executeAsyncScript(
              "const done = arguments[arguments.length - 1];"
                  + "requestAnimationFrame(() => requestAnimationFrame(() => done()));"
                  + "setTimeout(done, 2000);");
    } catch (org.openqa.selenium.WebDriverException e) {
      // a screenshot is a record for people, not an assertion: take it anyway
    }
    byte[] png = ((org.openqa.selenium.TakesScreenshot) u.on()).getScreenshotAs(OutputType.BYTES);
    Files.write(dir.resolve(getClass().getSimpleName() + "-" + name + ".png"), png);
  }

  static void assertContains(String text, String part) {
    if (text == null || !text.contains(part)) {
      throw new AssertionError("expected \"" + part + "\" in \"" + text + "\"");
    }
  }

  /** The Activity feed as {@code u} sees it, newest first: "who what" per line, times left out. */
  @SuppressWarnings("unchecked")
  List<String> feed(User u) {
    return (List<String>)
        u.js(
            "return [...document.querySelectorAll('#feed .feed-item')].map(li =>"
                + " li.querySelector('.feed-who').textContent + ' '"
                + " + li.querySelector('.feed-text').textContent)");
  }

  // ---------------------------------------------------------------- server side

  String token(String actor, String session) {
    return server.tokens().mint(actor, ActorKind.HUMAN, List.of(session), Role.EDITOR, 3600);
  }

  String agentToken(String actor, String session) {
    return server.tokens().mint(actor, ActorKind.AGENT, List.of(session), Role.EDITOR, 3600);
  }

  JsonNode get(String session, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base() + "/v1/sessions/" + session + path))
                .header("Authorization", "Bearer " + token("test-reader", session))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** The session document as the server has it ({@code GET /v1/sessions/{id}}). */
  JsonNode state(String session) throws Exception {
    return get(session, "");
  }

  JsonNode history(String session) throws Exception {
    return get(session, "/history?since=");
  }

  JsonNode post(String session, String path, String actor, String body, String idempotencyKey)
      throws Exception {
    return postWith(session, path, token(actor, session), body, idempotencyKey);
  }

  /** POSTs {@code body} to a session route with the given token (e.g. an agent's). */
  JsonNode postWith(String session, String path, String jwt, String body, String idempotencyKey)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + "/v1/sessions/" + session + path))
            .header("Authorization", "Bearer " + jwt)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (idempotencyKey != null) {
      b.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new AssertionError("POST " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  /** The server's cards of a column ("todo", "doing", "done"): [{id, value}]. */
  static List<JsonNode> serverCards(JsonNode state, String col) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode c : state.at("/doc/board/columns")) {
      if (col.equals(c.at("/value/id").asText())) {
        c.at("/value/cards").forEach(out::add);
      }
    }
    return out;
  }

  static List<String> serverTitles(JsonNode state, String col) {
    return serverCards(state, col).stream().map(c -> c.at("/value/title").asText()).toList();
  }

  /** The server's card {id, value} with this title (any column). */
  static JsonNode serverCard(JsonNode state, String title) {
    for (JsonNode col : state.at("/doc/board/columns")) {
      for (JsonNode c : col.at("/value/cards")) {
        if (title.equals(c.at("/value/title").asText())) {
          return c;
        }
      }
    }
    throw new AssertionError("the server has no card titled " + title);
  }

  /** {columnElementId, cardElementId} of the card with this title, or null. */
  static String[] locate(JsonNode state, String title) {
    for (JsonNode col : state.at("/doc/board/columns")) {
      for (JsonNode c : col.at("/value/cards")) {
        if (title.equals(c.at("/value/title").asText())) {
          return new String[] {col.get("id").asText(), c.get("id").asText()};
        }
      }
    }
    return null;
  }
}
