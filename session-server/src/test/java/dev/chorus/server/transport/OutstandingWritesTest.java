package dev.chorus.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutstandingWritesTest {
  private final List<Promise<Void>> writes = new ArrayList<>();

  private boolean write(OutstandingWrites w) {
    return w.write(
        () -> {
          Promise<Void> p = Promise.promise();
          writes.add(p);
          return p.future();
        });
  }

  @Test
  void underSixtyFourFramesEveryFrameCounts_exactly() {
    OutstandingWrites w = new OutstandingWrites(32);
    for (int i = 0; i < 32; i++) {
      assertTrue(write(w), "frame " + (i + 1));
    }
    assertFalse(write(w), "the 33rd frame outstanding is past the limit");
    assertEquals(32, writes.size(), "a refused frame is not written");
    writes.get(0).complete();
    assertTrue(write(w), "one frame written out makes room for one");
    assertFalse(write(w));
  }

  @Test
  void aLargeLimitListensToEverySixteenthFrame_andIsNeverLate() {
    OutstandingWrites w = new OutstandingWrites(4096);
    for (int i = 0; i < 4096; i++) {
      assertTrue(write(w));
    }
    assertFalse(write(w));
    // frames 1..15 are written, but only the 16th's future is listened to: the count stays high
    for (int i = 0; i < 15; i++) {
      writes.get(i).complete();
    }
    assertFalse(write(w), "at most 15 frames early");
    writes.get(15).fail("connection closed"); // a failed write is done too
    for (int i = 0; i < 16; i++) {
      assertTrue(write(w), "the 16 frames known written make room for 16");
    }
    assertFalse(write(w));
  }

  @Test
  void aClientThatReadsAlongIsNeverCut() {
    OutstandingWrites w = new OutstandingWrites(1024);
    // with a new frame, the socket holds up to limit - 15 frames unwritten (it writes in order)
    int completed = 0;
    for (int i = 0; i < 20_000; i++) {
      assertTrue(write(w), "frame " + (i + 1));
      while (writes.size() - completed > 1024 - 16) {
        writes.get(completed++).complete();
      }
    }
  }
}
