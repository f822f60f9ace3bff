package dev.chorus.server.transport;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Serves the board's files (the classpath folder {@code webroot/}, packaged from {@code web-demo})
 * from memory: each file is read from the class loader once and kept (they are small and never
 * change while the node runs). Unlike Vert.x's {@code StaticHandler} this needs no extracted copy
 * on disk, so it cannot race with itself when several requests for the same file arrive at once
 * (with Vert.x's file cache off, concurrent requests could get 404 while one of them re-extracted
 * the file), and several nodes or restarts in one JVM share nothing.
 *
 * <p>{@code GET}/{@code HEAD} only; {@code /} and paths ending in {@code /} serve {@code
 * index.html}; anything else not found is passed on ({@code next()}).
 */
public final class BoardAssets implements Handler<RoutingContext> {
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "mjs", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "json", "application/json",
          "svg", "image/svg+xml",
          "png", "image/png",
          "ico", "image/x-icon",
          "txt", "text/plain; charset=utf-8",
          "map", "application/json");

  private final String root;
  private final ClassLoader loader;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  public BoardAssets(String root) {
    this.root = root;
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    this.loader = cl != null ? cl : BoardAssets.class.getClassLoader();
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpMethod m = rc.request().method();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
      rc.next();
      return;
    }
    String path = rc.normalizedPath();
    if (path == null || path.isEmpty()) {
      path = "/";
    }
    if (path.endsWith("/")) {
      path += "index.html";
    }
    String rel = path.substring(1);
    int dot = rel.lastIndexOf('.');
    if (rel.contains("..")
        || rel.contains("\\")
        || rel.contains("//")
        || dot <= rel.lastIndexOf('/') + 1) { // no extension (a folder) or a dotfile: not ours
      rc.next();
      return;
    }
    byte[] bytes = files.get(rel);
    if (bytes == null) {
      bytes = load(rel); // only found files are kept: unknown paths cannot grow the map
      if (bytes == null) {
        rc.next();
        return;
      }
      files.put(rel, bytes);
    }
    String ext = rel.substring(dot + 1).toLowerCase(Locale.ROOT);
    rc.response()
        .putHeader("Content-Type", TYPES.getOrDefault(ext, "application/octet-stream"))
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (m == HttpMethod.HEAD) {
      rc.response().putHeader("Content-Length", Integer.toString(bytes.length)).end();
    } else {
      rc.response().end(Buffer.buffer(bytes));
    }
  }

  private byte[] load(String rel) {
    try (InputStream in = loader.getResourceAsStream(root + "/" + rel)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      return null;
    }
  }
}
