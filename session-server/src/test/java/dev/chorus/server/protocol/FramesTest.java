package dev.chorus.server.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FramesTest {
  private static final String OPS_HEAD =
      "{\"type\":\"batch\",\"batchId\":\"b1\",\"basedOn\":\"\",\"ops\":[";

  @Test
  void parseObject_escapedLoneSurrogateInAValue_isBadFrame() {
    ChorusException e =
        assertThrows(
            ChorusException.class,
            () ->
                Frames.parseObject(
                    OPS_HEAD + "{\"op\":\"set\",\"path\":\"a\",\"value\":\"x\\ud800\"}]}"));
    assertEquals(ErrorCode.BAD_FRAME, e.code());
    assertTrue(e.getMessage().contains("lone surrogate"), e.getMessage());
  }

  @Test
  void parseObject_loneSurrogateInAKeyOrDeepInsideAnArray_isBadFrame() {
    for (String text :
        new String[] {
          OPS_HEAD + "{\"op\":\"set\",\"path\":\"a\",\"value\":{\"\\udc00\":1}}]}",
          OPS_HEAD + "{\"op\":\"set\",\"path\":\"a\",\"value\":[[1,[\"\\ud83d!\"]]]}]}",
          "{\"type\":\"hello\",\"clientId\":\"\\udfff\"}",
          "{\"type\":\"presence\",\"state\":{\"focus\":\"\uDFFF\"}}"
        }) {
      ChorusException e = assertThrows(ChorusException.class, () -> Frames.parseObject(text));
      assertEquals(ErrorCode.BAD_FRAME, e.code(), text);
    }
  }

  @Test
  void parseObject_surrogatePairs_areText() {
    // an emoji, escaped and raw: a valid pair is not a lone surrogate
    var f =
        Frames.parseObject(
            OPS_HEAD
                + "{\"op\":\"set\",\"path\":\"a\",\"value\":\"\\ud83d\\ude00 \uD83D\uDE00\"}]}");
    assertEquals("\uD83D\uDE00 \uD83D\uDE00", f.get("ops").get(0).get("value").textValue());
  }

  @Test
  void loneSurrogates_has_findsUnpairedHighAndLowHalves() {
    assertTrue(LoneSurrogates.has("\uD800"));
    assertTrue(LoneSurrogates.has("a\uDC00"));
    assertTrue(LoneSurrogates.has("\uDE00\uD83D"));
    assertEquals(false, LoneSurrogates.has("\uD83D\uDE00"));
    assertEquals(false, LoneSurrogates.has(""));
  }
}
