package dev.chorus.server.transport;

import io.vertx.core.http.HttpServerRequest;

/**
 * Where a request carries its token: {@code Authorization: Bearer}, a websocket subprotocol {@code
 * chorus.bearer.<jwt>} (browsers cannot set headers on a websocket, and a token in the address ends
 * up in console errors and access logs), or {@code ?token=}.
 */
public final class Tokens {
  /** The subprotocol the server selects; a browser offers it beside the one carrying its token. */
  static final String PROTOCOL = "chorus.v1";

  static final String BEARER_PROTOCOL = "chorus.bearer.";

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
    String protocols = req.getHeader("Sec-WebSocket-Protocol");
    if (protocols != null) {
      for (String p : protocols.split(",")) {
        String t = p.trim();
        if (t.startsWith(BEARER_PROTOCOL)) {
          return t.substring(BEARER_PROTOCOL.length());
        }
      }
    }
    return req.getParam("token");
  }
}
