package dev.chorus.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void aServersDelayIsNeverShortened_andAtMostHalfAgainLonger() {
    for (int i = 0; i < 1000; i++) {
      long d = Backoff.DEFAULT.after(800);
      assertTrue(d >= 800 && d <= 1200, "got " + d);
    }
  }

  @Test
  void exponentialBackoffStaysUnderItsDoublingCeiling_cappedAtTenSecondsByDefault() {
    assertEquals(500, Backoff.DEFAULT.ceiling(0));
    assertEquals(10_000, Backoff.DEFAULT.ceiling(30));
    for (int attempt = 0; attempt < 30; attempt++) {
      long ceiling = Math.min(10_000, 500L << Math.min(attempt, 20));
      assertEquals(ceiling, Backoff.DEFAULT.ceiling(attempt));
      for (int i = 0; i < 200; i++) {
        long d = Backoff.DEFAULT.exponential(attempt);
        assertTrue(d >= 0 && d <= ceiling, "attempt " + attempt + ": " + d);
      }
    }
  }

  @Test
  void anOwnBaseAndCap_boundTheDelays() {
    Backoff fast = new Backoff(50, 5_000);
    assertEquals(50, fast.ceiling(0));
    assertEquals(5_000, fast.ceiling(12));
    for (int i = 0; i < 200; i++) {
      assertTrue(fast.exponential(1) <= 100);
    }
    assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 10));
  }
}
