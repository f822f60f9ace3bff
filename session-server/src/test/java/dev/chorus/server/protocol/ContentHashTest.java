package dev.chorus.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The content hash is stored with every batch, so it must not change across versions: it is the
 * hash an earlier version computed (a sorted copy of the tree, printed, then hashed), here as the
 * reference, on seeded random trees and on one pinned value.
 */
class ContentHashTest {
  /** The earlier implementation, as it was. */
  private static String reference(JsonNode n) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] bytes = Values.MAPPER.writeValueAsString(sorted(n)).getBytes(StandardCharsets.UTF_8);
    return HexFormat.of().formatHex(md.digest(bytes));
  }

  private static JsonNode sorted(JsonNode n) {
    if (n.isObject()) {
      TreeMap<String, JsonNode> s = new TreeMap<>();
      n.properties().forEach(e -> s.put(e.getKey(), sorted(e.getValue())));
      ObjectNode o = Values.NODES.objectNode();
      s.forEach(o::set);
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = Values.NODES.arrayNode();
      n.forEach(e -> a.add(sorted(e)));
      return a;
    }
    return n;
  }

  private static final String[] STRINGS = {
    "",
    "a",
    "card 7",
    "é",
    "日本",
    "😀 emoji",
    "tab\there",
    "quote\"back\\slash",
    "\u0001\u001f",
    "\u2028",
    "</script>",
    "x".repeat(300)
  };

  private static JsonNode random(SplittableRandom r, int depth) {
    int kind = r.nextInt(depth > 3 ? 6 : 8);
    switch (kind) {
      case 0:
        return Values.NODES.nullNode();
      case 1:
        return Values.NODES.booleanNode(r.nextBoolean());
      case 2:
        // an int as a parsed frame holds small numbers, a long as it holds big ones
        return r.nextBoolean()
            ? Values.NODES.numberNode(r.nextInt())
            : Values.NODES.numberNode(r.nextLong());
      case 3:
        return Values.NODES.numberNode(r.nextDouble() * 1e6 - 5e5);
      case 4:
        return Values.NODES.textNode(STRINGS[r.nextInt(STRINGS.length)]);
      case 5:
        return r.nextBoolean()
            ? Values.NODES.numberNode(new BigInteger("123456789012345678901234567890"))
            : Values.NODES.numberNode(new BigDecimal("1.50"));
      case 6:
        {
          ObjectNode o = Values.NODES.objectNode();
          int n = r.nextInt(6);
          for (int i = 0; i < n; i++) {
            o.set(STRINGS[r.nextInt(STRINGS.length)] + r.nextInt(3), random(r, depth + 1));
          }
          return o;
        }
      default:
        {
          ArrayNode a = Values.NODES.arrayNode();
          int n = r.nextInt(5);
          for (int i = 0; i < n; i++) {
            a.add(random(r, depth + 1));
          }
          return a;
        }
    }
  }

  @Test
  void sameHashAsEarlierVersions_onRandomTrees() throws Exception {
    SplittableRandom r = new SplittableRandom(20261207);
    for (int i = 0; i < 2000; i++) {
      JsonNode n = random(r, 0);
      assertEquals(reference(n), ContentHash.of(n), n.toString());
    }
  }

  @Test
  void keyOrderDoesNotMatter_contentDoes() throws Exception {
    JsonNode a =
        Values.MAPPER.readTree("{\"basedOn\":\"n1:3\",\"ops\":[{\"op\":\"set\",\"b\":1,\"a\":2}]}");
    JsonNode b =
        Values.MAPPER.readTree("{\"ops\":[{\"a\":2,\"op\":\"set\",\"b\":1}],\"basedOn\":\"n1:3\"}");
    JsonNode c =
        Values.MAPPER.readTree("{\"ops\":[{\"a\":3,\"op\":\"set\",\"b\":1}],\"basedOn\":\"n1:3\"}");
    assertEquals(ContentHash.of(a), ContentHash.of(b));
    assertNotEquals(ContentHash.of(a), ContentHash.of(c));
    // pinned: the hash batches stored by earlier versions carry for this content
    assertEquals(reference(a), ContentHash.of(a));
    assertEquals(PINNED, ContentHash.of(a));
  }

  private static final String PINNED =
      "e4348a78c4f9542b043bfae581389536d0dafe27cf7966857fb0e11a93b01759";
}
