package dev.chorus.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class SharedParsesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A change frame as a node writes it, {@code seq} deep inside. */
  private static String frame(int batch, String seq) {
    return "{\"type\":\"change\",\"batchId\":\"writer."
        + batch
        + "\",\"version\":\"n1:7\",\"ops\":[{\"op\":\"set\",\"path\":\"/c1\",\"value\":{\"seq\":"
        + seq
        + ",\"note\":\""
        + "x".repeat(48)
        + "\"}}],\"changes\":[]}";
  }

  @Test
  void fiftyClientsReceivingOneFrame_parseItOnce_andGetOneTree() throws Exception {
    SharedParses parses = new SharedParses(JSON);
    String sent = frame(1, "1");
    JsonNode first = parses.parse(new String(sent.toCharArray()));
    for (int client = 1; client < 50; client++) {
      // every connection decodes the frame into a String of its own
      assertSame(first, parses.parse(new String(sent.toCharArray())));
    }
    assertEquals(1, parses.parses());
  }

  @Test
  void framesWithOneFingerprint_getTheirOwnTrees() throws Exception {
    SharedParses parses = new SharedParses(JSON);
    String a = frame(1, "1111111");
    // the same frame but for one digit of seq that the fingerprint does not look at
    int at = a.indexOf("1111111");
    while (SharedParses.fingerprint(a)
        != SharedParses.fingerprint(a.substring(0, at) + '2' + a.substring(at + 1))) {
      at++;
    }
    String b = a.substring(0, at) + '2' + a.substring(at + 1);
    JsonNode ta = parses.parse(a);
    JsonNode tb = parses.parse(b);
    assertNotSame(ta, tb);
    assertEquals(1111111, ta.at("/ops/0/value/seq").asInt());
    assertEquals(JSON.readTree(b), tb);
    assertNotEquals(ta, tb);
    assertSame(ta, parses.parse(new String(a.toCharArray())));
    assertSame(tb, parses.parse(new String(b.toCharArray())));
    assertEquals(2, parses.parses());
  }

  @Test
  void aFrameOlderThanTheRing_isParsedAgain_asTheSameValue() throws Exception {
    SharedParses parses = new SharedParses(JSON);
    JsonNode old = parses.parse(frame(0, "0"));
    for (int i = 1; i <= SharedParses.SIZE; i++) {
      parses.parse(frame(i, Integer.toString(i)));
    }
    JsonNode again = parses.parse(frame(0, "0"));
    assertNotSame(old, again);
    assertEquals(old, again);
    assertEquals(SharedParses.SIZE + 2, parses.parses());
  }

  @Test
  void shortAndEmptyTexts_areFramesLikeAnyOther() throws Exception {
    SharedParses parses = new SharedParses(JSON);
    assertEquals(JSON.readTree("{}"), parses.parse("{}"));
    assertEquals(JSON.readTree(""), parses.parse(""));
    assertEquals(2, parses.parses());
  }
}
