package dev.chorus.server.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** An entry survives its binary form unchanged, with and without the batch it came from. */
class OpLogEntryTest {
  private static OpLogEntry roundTrip(OpLogEntry e) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      e.writeTo(out);
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    OpLogEntry back = OpLogEntry.readFrom(in);
    assertEquals(-1, in.read(), "read to its end");
    return back;
  }

  @Test
  void roundTripsWithBatch() throws IOException {
    OpLogEntry e =
        new OpLogEntry(
            "r1",
            5,
            7,
            "{\"id\":\"r1@5\",\"ops\":[{\"k\":\"s\",\"v\":\"a \\\"quoted\\\" é 🙂\"}]}",
            "b-1",
            "hash",
            "r1:7,r2:3",
            "[{\"id\":\"r1@6\"},null]",
            "[{\"op\":\"set\",\"path\":\"/x\",\"value\":1}]",
            42);
    assertEquals(e, roundTrip(e));
  }

  @Test
  void roundTripsWithoutBatch() throws IOException {
    OpLogEntry e = new OpLogEntry("r2", 1, 1, "{\"id\":\"r2@1\"}", null, null, null, null, null, 3);
    assertEquals(e, roundTrip(e));
  }

  @Test
  void aChangeLargerThan64KiB_roundTrips() throws IOException {
    String big = "{\"v\":\"" + "é".repeat(70_000) + "\"}";
    OpLogEntry e = new OpLogEntry("r3", 1, 1, big, null, null, null, null, null, 1);
    assertEquals(e, roundTrip(e));
  }
}
