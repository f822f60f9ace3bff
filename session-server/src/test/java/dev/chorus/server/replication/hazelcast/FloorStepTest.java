package dev.chorus.server.replication.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.server.replication.FloorAgreement;
import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FloorStepTest {
  private static FloorStep step(
      FloorStep.Kind kind, String replica, long round, String v, long now) {
    return new FloorStep(kind, replica, "t", round, v, now, 1_000, 10_000);
  }

  private static FloorAgreement run(Map.Entry<String, FloorAgreement> e, FloorStep s) {
    return s.process(e);
  }

  @Test
  void steps_changeTheEntry_andEveryStepSettlesTheRound() {
    Map.Entry<String, FloorAgreement> e = new AbstractMap.SimpleEntry<>("s", null);
    run(e, step(FloorStep.Kind.REGISTER, "a", 0, null, 0));
    run(e, step(FloorStep.Kind.PROPOSE, "a", 0, "a:4", 10));
    assertTrue(e.getValue().mustAck("a"));
    run(e, step(FloorStep.Kind.DEPARTED, "a", 0, null, 20));
    assertTrue(e.getValue().open(), "within the grace");
    FloorAgreement read = run(e, step(FloorStep.Kind.READ, "b", 0, null, 1_020));
    assertFalse(read.open(), "a read after the grace agrees the round");
    assertEquals("a:4", e.getValue().floor());
  }

  @Test
  void anEntryWithNothingToKeep_isRemoved() {
    Map.Entry<String, FloorAgreement> e = new AbstractMap.SimpleEntry<>("s", null);
    run(e, step(FloorStep.Kind.REGISTER, "a", 0, null, 0));
    run(e, step(FloorStep.Kind.UNREGISTER, "a", 0, null, 0));
    assertNull(e.getValue());
    FloorAgreement none = run(e, step(FloorStep.Kind.READ, "a", 0, null, 0));
    assertEquals(FloorAgreement.EMPTY, none);
    assertNull(e.getValue(), "a read of a missing entry does not create it");
  }
}
