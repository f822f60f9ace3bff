package dev.chorus.crdt.type;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chorus.crdt.clock.OpId;
import org.junit.jupiter.api.Test;

class ReplicaTableTest {
  private final ReplicaTable table = new ReplicaTable();

  ReplicaTableTest() {
    table.index("n1");
    table.index("bench");
  }

  @Test
  void parseId_knownReplica_givesTheTablesInstanceOfItsName() {
    OpId id = table.parseId("42@" + new String("bench".toCharArray()));
    assertEquals(OpId.parse("42@bench"), id);
    assertSame(table.name(table.index("bench")), id.replica());
  }

  @Test
  void parseId_agreesWithOpIdParse() {
    for (String s :
        new String[] {
          "7@n1", "007@n1", "1@n12", "3@ben", "5@unknown", "root", "999999999999999999@n1"
        }) {
      assertEquals(OpId.parse(s), table.parseId(s), s);
    }
  }

  @Test
  void parseId_pastTheScannedNames_parsesPlainly() {
    for (int i = 0; table.size() <= ReplicaTable.SCANNED_NAMES; i++) {
      table.index("agent-" + i);
    }
    assertEquals(OpId.parse("42@bench"), table.parseId("42@bench"));
    assertEquals(OpId.parse("9@agent-3"), table.parseId("9@agent-3"));
  }

  @Test
  void parseId_rejectsWhatOpIdParseRejects() {
    for (String s : new String[] {"0@n1", "x@n1", "@n1", "1@", "99999999999999999999@n1"}) {
      assertThrows(IllegalArgumentException.class, () -> OpId.parse(s), s);
      assertThrows(IllegalArgumentException.class, () -> table.parseId(s), s);
    }
  }
}
