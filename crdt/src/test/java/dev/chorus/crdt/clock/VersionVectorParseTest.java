package dev.chorus.crdt.clock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionVectorParseTest {
  @Test
  void theTextForm_parsesBackToTheSameVector() {
    VersionVector v = VersionVector.of(Map.of("init", 17L, "n1", 40L, "n2", 12L));
    assertEquals(v, VersionVector.parse(v.toString()));
    assertEquals("init:17,n1:40,n2:12", VersionVector.parse("init:17,n1:40,n2:12").toString());
  }

  @Test
  void unsortedInput_spaces_zeroCounters_andTrailingCommas_areReadAsBefore() {
    assertEquals("a:1,b:2", VersionVector.parse("b:2,a:1").toString());
    assertEquals("a:1,b:2", VersionVector.parse(" a : 1 , b:2 ").toString());
    assertEquals("b:2", VersionVector.parse("a:0,b:2").toString());
    assertEquals("b:2", VersionVector.parse("b:2,a:0").toString());
    assertEquals("a:1", VersionVector.parse("a:1,,").toString());
    assertSame(VersionVector.EMPTY, VersionVector.parse("a:0"));
    assertSame(VersionVector.EMPTY, VersionVector.parse(""));
    assertSame(VersionVector.EMPTY, VersionVector.parse(","));
    assertEquals(7, VersionVector.parse("host:8080:7").get("host:8080"), "the last colon splits");
  }

  @Test
  void malformedVersions_areRefused() {
    for (String bad :
        new String[] {
          "a", ":1", "a:", "a:x", "a:-1", "a:1,,b:2", ",a:1", "a:1,a:2", "b:1,a:2,b:0", "a:1,b"
        }) {
      assertThrows(IllegalArgumentException.class, () -> VersionVector.parse(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> VersionVector.parse(null));
  }
}
