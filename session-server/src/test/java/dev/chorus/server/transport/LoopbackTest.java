package dev.chorus.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.server.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Demo mode serves loopback clients only: what counts as loopback, and the opt-out flag. */
class LoopbackTest {
  @Test
  void loopbackAddresses() {
    for (String h :
        new String[] {
          "127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "[::1]", "::ffff:127.0.0.1"
        }) {
      assertTrue(HttpTransport.isLoopback(h), h);
    }
    for (String h :
        new String[] {
          "10.0.0.1",
          "192.168.1.20",
          "0.0.0.0",
          "::",
          "fe80::1%eth0",
          "8.8.8.8",
          "localhost",
          "",
          null
        }) {
      assertFalse(HttpTransport.isLoopback(h), String.valueOf(h));
    }
  }

  @Test
  void remoteDemoClients_areRefusedUnlessConfigured() {
    assertFalse(ServerConfig.parse(new String[] {"--demo"}, Map.of()).demoAllowRemote());
    assertTrue(
        ServerConfig.parse(new String[] {"--demo", "--demo-allow-remote"}, Map.of())
            .demoAllowRemote());
    assertEquals(
        true,
        ServerConfig.parse(new String[0], Map.of("CHORUS_DEMO_ALLOW_REMOTE", "true"))
            .demoAllowRemote());
  }
}
