package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --event-loops}: how many event loop threads carry the connections and sessions. */
class EventLoopsOptionTest {
  @Test
  void unset_isVertxsDefaultOfTwoPerCore() {
    ServerConfig c = ServerConfig.parse(new String[0], Map.of());
    assertEquals(2 * Runtime.getRuntime().availableProcessors(), c.eventLoopThreads());
  }

  @Test
  void aFlagOrTheEnvironment_setsTheCount() {
    assertEquals(
        3, ServerConfig.parse(new String[] {"--event-loops", "3"}, Map.of()).eventLoopThreads());
    assertEquals(
        1, ServerConfig.parse(new String[0], Map.of("CHORUS_EVENT_LOOPS", "1")).eventLoopThreads());
    assertTrue(
        ServerConfig.parse(new String[] {"--event-loops=2"}, Map.of())
            .describe()
            .contains(" eventLoops=2 "));
  }

  @Test
  void aNegativeCount_isRefusedWithTheFlagsName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerConfig.parse(new String[] {"--event-loops", "-1"}, Map.of()));
    assertEquals("--event-loops must be 0 (2 x cores) or a thread count >= 1: -1", e.getMessage());
  }
}
