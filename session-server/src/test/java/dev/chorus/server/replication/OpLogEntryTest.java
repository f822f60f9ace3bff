package dev.chorus.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** An entry survives its JSON form unchanged, with and without the batch it came from. */
class OpLogEntryTest {
  @Test
  void roundTripsWithBatch() {
    OpLogEntry e =
        new OpLogEntry(
            "r1",
            5,
            7,
            "{\"id\":\"r1@5\",\"ops\":[{\"k\":\"s\",\"v\":\"a \\\"quoted\\\" é\"}]}",
            "b-1",
            "hash",
            "r1:7,r2:3",
            "[{\"id\":\"r1@6\"},null]",
            "[{\"op\":\"set\",\"path\":\"/x\",\"value\":1}]",
            42);
    assertEquals(e, OpLogEntry.fromJson(e.toJsonString()));
  }

  @Test
  void roundTripsWithoutBatch() {
    OpLogEntry e = new OpLogEntry("r2", 1, 1, "{\"id\":\"r2@1\"}", null, null, null, null, null, 3);
    assertEquals(e, OpLogEntry.fromJson(e.toJsonString()));
  }
}
