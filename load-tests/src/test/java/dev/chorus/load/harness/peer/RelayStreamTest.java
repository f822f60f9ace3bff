package dev.chorus.load.harness.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.load.harness.scenario.Stream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport floor of server-bench counts like the Chorus stream: a relay process started the
 * way the benchmark starts it delivers every write once to every reader, and the meter sees that.
 */
class RelayStreamTest {
  @Test
  @Timeout(120)
  void everyWriteReachesEveryReaderOnce() throws Exception {
    try (PeerServer relay = PeerServer.relay(List.of("-Xmx128m", "-XX:+UseSerialGC"))) {
      Stream.Result r = RelayStream.run(relay.port(), "test", 3, 500, 16, 50, 60_000);
      assertEquals(500, r.ops());
      assertEquals(0, r.lost());
      assertEquals(0, r.dup());
      assertEquals(500 * 3, r.perReader().getTotalCount());
      assertEquals(500, r.allReaders().getTotalCount());
    }
  }
}
