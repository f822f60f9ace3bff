package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/** A real Server-Sent Events reader over java.net.http, for tests: records events and comments. */
final class SseClient implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** One event: {@code id} null when the event had none. */
  record Event(String id, String type, JsonNode data) {}

  final int status;
  final List<Event> events = new CopyOnWriteArrayList<>();
  final List<String> comments = new CopyOnWriteArrayList<>();
  final String errorBody;
  private final InputStream body;
  private final Thread reader = new Thread(this::read, "sse-reader");
  volatile boolean ended;

  private SseClient(HttpResponse<InputStream> res, boolean read) throws Exception {
    this.status = res.statusCode();
    this.body = res.body();
    if (status != 200) {
      errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      return;
    }
    errorBody = null;
    reader.setDaemon(true);
    if (read) {
      reader.start();
    }
  }

  /** Starts reading a stream opened without (until now, the server's writes pile up). */
  void startReading() {
    reader.start();
  }

  /** Opens {@code url}; {@code lastEventId} may be null. */
  static SseClient open(String url, String token, String lastEventId) throws Exception {
    return open(url, token, lastEventId, true);
  }

  static SseClient open(String url, String token, String lastEventId, boolean read)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Accept", "text/event-stream");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return new SseClient(
        HTTP.sendAsync(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream())
            .get(30, TimeUnit.SECONDS),
        read);
  }

  private void read() {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String type = "message";
      StringBuilder data = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(id, type, Rest.M.readTree(data.toString())));
          }
          id = null;
          type = "message";
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).trim());
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          type = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (Exception e) {
      // closed
    }
    ended = true;
  }

  Event await(Predicate<Event> p) {
    AtomicReference<Event> found = new AtomicReference<>();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> {
              for (Event e : events) {
                if (p.test(e)) {
                  found.set(e);
                  return true;
                }
              }
              return false;
            });
    return found.get();
  }

  Event awaitType(String type) {
    return await(e -> e.type().equals(type));
  }

  List<Event> ofType(String type) {
    return events.stream().filter(e -> e.type().equals(type)).toList();
  }

  /** Drops the connection, as a network failure would. */
  @Override
  public void close() throws Exception {
    body.close();
  }
}
