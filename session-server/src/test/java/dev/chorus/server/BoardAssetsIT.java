package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The board's files (classpath webroot/) are served whole, also under concurrent requests. */
class BoardAssetsIT {
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build();
  }

  static byte[] resource(String name) throws Exception {
    try (InputStream in = BoardAssetsIT.class.getClassLoader().getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void concurrentRequestsForTheSameFilesAllGetTheWholeFile() throws Exception {
    try (TestServer node = TestServer.start()) {
      List<String> files = List.of("index.html", "app.js", "chorus-client.js", "styles.css");
      List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
      List<String> asked = new ArrayList<>();
      for (int round = 0; round < 30; round++) {
        for (String f : files) {
          asked.add(f);
          all.add(
              HTTP.sendAsync(get(node.base() + "/" + f), HttpResponse.BodyHandlers.ofByteArray()));
        }
      }
      for (int i = 0; i < all.size(); i++) {
        HttpResponse<byte[]> r = all.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), asked.get(i));
        assertArrayEquals(resource("webroot/" + asked.get(i)), r.body(), asked.get(i));
      }
      HttpResponse<String> root =
          HTTP.send(get(node.base() + "/"), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, root.statusCode());
      assertTrue(root.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
      assertEquals(
          "text/javascript; charset=utf-8",
          HTTP.send(get(node.base() + "/app.js"), HttpResponse.BodyHandlers.discarding())
              .headers()
              .firstValue("Content-Type")
              .orElse(""));
      for (String missing : List.of("/nope.js", "/../pom.xml", "/webroot")) {
        assertEquals(
            404,
            HTTP.send(get(node.base() + missing), HttpResponse.BodyHandlers.discarding())
                .statusCode(),
            missing);
      }
    }
  }
}
