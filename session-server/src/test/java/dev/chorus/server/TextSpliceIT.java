package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * A websocket splice counts its {@code index} and {@code delete} in code points (docs/protocol.md):
 * an emoji outside the BMP is one position, as in the editing traces and in the board's client —
 * not two UTF-16 units.
 */
class TextSpliceIT extends ItBase {

  @Test
  void spliceIndexesCountCodePoints_anEmojiIsOnePosition() throws Exception {
    String s = newSession();
    try (WsClient c = WsClient.joined(clients, node.port(), s, node.human("alice", s))) {
      String v =
          c.write(
                  c.welcome().path("version").asText(),
                  "[{\"op\":\"set\",\"path\":\"notes\",\"value\":{\"$text\":\"a\uD83D\uDE00b\"}}]")
              .path("version")
              .asText();
      // after "a😀" is position 2 (UTF-16 would put it inside the emoji's surrogate pair)
      v =
          c.write(
                  v,
                  "[{\"op\":\"splice\",\"path\":\"notes\",\"index\":2,\"delete\":1,"
                      + "\"insert\":\"\uD83C\uDF89c\"}]")
              .path("version")
              .asText();
      assertEquals("a\uD83D\uDE00\uD83C\uDF89c", notes(s));
      v =
          c.write(
                  v,
                  "[{\"op\":\"splice\",\"path\":\"notes\",\"index\":1,\"delete\":1,\"insert\":\"\"}]")
              .path("version")
              .asText();
      assertEquals("a\uD83C\uDF89c", notes(s));
      // three code points (four UTF-16 units): position 4 is past the end
      JsonNode refused =
          c.reply(
              c.batch(
                  v,
                  false,
                  "[{\"op\":\"splice\",\"path\":\"notes\",\"index\":4,\"delete\":0,\"insert\":\"x\"}]"));
      assertEquals("invalid_op", refused.path("code").asText(), refused.toString());
      assertEquals("a\uD83C\uDF89c", notes(s));
    }
  }

  private static String notes(String s) throws Exception {
    return Rest.get(url(s) + "?view=plain", node.human("reader", s))
        .body()
        .path("doc")
        .path("notes")
        .asText();
  }
}
