package dev.chorus.server.transport;

import io.vertx.core.http.HttpServerRequest;

/** Where a request carries its token: {@code Authorization: Bearer} or {@code ?token=}. */
public final class Tokens {
  private Tokens() {}

  public static String of(HttpServerRequest req) {
    String h = req.getHeader("Authorization");
    if (h != null) {
      String t = h.trim();
      if (t.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return t.substring(7).trim();
      }
      return null;
    }
    return req.getParam("token");
  }
}
