package dev.chorus.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void aServersDelayIsNeverShortened_andAtMostHalfAgainLonger() {
    for (int i = 0; i < 1000; i++) {
      long d = Backoff.after(800);
      assertTrue(d >= 800 && d <= 1200, "got " + d);
    }
  }

  @Test
  void exponentialBackoffStaysUnderItsDoublingCeiling_cappedAtTenSeconds() {
    for (int attempt = 0; attempt < 30; attempt++) {
      long ceiling = Math.min(Backoff.CAP_MS, Backoff.BASE_MS << Math.min(attempt, 20));
      for (int i = 0; i < 200; i++) {
        long d = Backoff.exponential(attempt);
        assertTrue(d >= 0 && d <= ceiling, "attempt " + attempt + ": " + d);
      }
    }
  }
}
