package dev.chorus.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.Values;
import org.junit.jupiter.api.Test;

/**
 * The ack written straight to text says what the ack body says, with its type; results printed once
 * say what their tree says.
 */
class BatchResultTest {
  private static ObjectNode expectedAck(BatchResult r) {
    ObjectNode o = r.toJson();
    o.put("type", "ack");
    return o;
  }

  @Test
  void ackFrame_isTheAckBodyWithItsType() throws Exception {
    BatchResult r = BatchResult.of("b-\"1\"é😀", "n1:9,n2:3", new String[] {null, "7@n1"}, null);
    EncodedFrame f = r.ackFrame();
    assertEquals(expectedAck(r), Values.MAPPER.readTree(f.text()));
    assertEquals(expectedAck(r).toString(), f.text(), "same fields, same order");
    assertNull(f.changeVersion(), "not a change frame");
    BatchResult dup = r.asDuplicate();
    assertEquals(expectedAck(dup), Values.MAPPER.readTree(dup.ackFrame().text()));
  }

  @Test
  void ackFrame_carriesTheViewForClientsThatAskedForSnapshots() throws Exception {
    ObjectNode view = Values.NODES.objectNode();
    view.put("stateHash", "abc");
    view.putObject("doc").putObject("tasks").put("t1", "x");
    BatchResult r = BatchResult.of("b1", "n1:1", new String[] {null}, view);
    assertEquals(expectedAck(r), Values.MAPPER.readTree(r.ackFrame().text()));
    assertEquals(expectedAck(r).toString(), r.ackFrame().text());
  }

  @Test
  void resultsOfAppliedOps_printedOnce_asTheTreePrints() throws Exception {
    String[] ids = {null, "7@n1", "3@a\"b\\c é😀\u0001", null};
    BatchResult r = BatchResult.of("b1", "n1:9", ids, null);
    assertEquals(r.results().toString(), r.resultsJson());
    assertEquals(4, r.results().size());
    assertEquals("3@a\"b\\c é😀\u0001", r.results().get(2).path("id").asText());
    assertEquals(expectedAck(r).toString(), r.ackFrame().text());
    assertEquals("[]", BatchResult.of("b2", "n1:9", new String[0], null).resultsJson());
  }
}
