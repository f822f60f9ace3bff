package dev.chorus.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Values#write(StringBuilder, Object)} prints what Jackson's generator prints of the tree
 * the value converts to ({@link Values#toJson}), and a generator reading the text back and writing
 * it again gives the same string. Seeded random values: nested maps and lists, keys and strings
 * with escapes, non-ASCII and emoji, integers, doubles, booleans, null, markers.
 */
class ValuesTest {
  private static final ObjectMapper JACKSON = new ObjectMapper();
  private static final String[] STRINGS = {
    "",
    "a",
    "card 7",
    "é",
    "日本",
    "😀",
    "tab\there",
    "quote\"back\\slash",
    "\u0001\u001f",
    "\u007f",
    "\u2028",
    "</script>",
    "x".repeat(70)
  };

  @Test
  void printsWhatJacksonPrints() throws Exception {
    for (int seed = 1; seed <= 500; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      Object v = random(r, 0);
      String text = Values.write(new StringBuilder(), v).toString();
      JsonNode parsed = JACKSON.readTree(text);
      assertEquals(JACKSON.writeValueAsString(parsed), text, "seed " + seed);
      assertEquals(JACKSON.writeValueAsString(Values.toJson(v)), text, "seed " + seed);
    }
  }

  private static Object random(SplittableRandom r, int depth) {
    switch (r.nextInt(depth > 3 ? 8 : 10)) {
      case 0:
        return null;
      case 1:
        return r.nextBoolean();
      case 2:
        return r.nextLong();
      case 3:
        return r.nextDouble() * Math.pow(10, r.nextInt(30) - 15) - 0.5;
      case 4:
        return (long) r.nextInt(1000);
      case 5:
        return new Values.TextInit(STRINGS[r.nextInt(STRINGS.length)]);
      case 6:
        return new Values.CounterInit(r.nextLong());
      case 7:
        return STRINGS[r.nextInt(STRINGS.length)];
      case 8:
        {
          Map<String, Object> m = new LinkedHashMap<>();
          int n = r.nextInt(5);
          for (int i = 0; i < n; i++) {
            m.put(STRINGS[r.nextInt(STRINGS.length)] + i, random(r, depth + 1));
          }
          return m;
        }
      default:
        {
          List<Object> l = new ArrayList<>();
          int n = r.nextInt(5);
          for (int i = 0; i < n; i++) {
            l.add(random(r, depth + 1));
          }
          return l;
        }
    }
  }
}
