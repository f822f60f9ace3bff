package dev.chorus.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class ChangeHeadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aChangeFrame_losesItsOpsAndChanges_andKeepsEveryOtherMember() throws Exception {
    String frame =
        "{\"type\":\"change\",\"author\":{\"id\":\"a\\\"}\",\"kind\":\"agent\"},"
            + "\"batchId\":\"w1-7\",\"ops\":[{\"op\":\"set\",\"path\":\"x]}\",\"value\":\"\\\\\"}],"
            + "\"changes\":[{\"replica\":\"n1\",\"ops\":[[{}]],\"s\":\"[{\\\"\"}],"
            + "\"version\":\"n1:7,n2:3\",\"stateHash\":12,\"doc\":{\"ops\":[1,true,null]}}";
    JsonNode head = JSON.readTree(ChangeHead.of(frame));
    ObjectNode whole = (ObjectNode) JSON.readTree(frame);
    whole.remove("ops");
    whole.remove("changes");
    assertEquals(whole, head, "the same frame, less the two bodies (a nested \"ops\" stays)");
  }

  @Test
  void spacesBetweenTokens_areFollowed() throws Exception {
    String frame =
        "{\"type\":\"change\" , \"ops\" : [ 1 ] ,\"version\": \"n1:1\" , \"n\" : -2.5e3 }";
    assertEquals(
        JSON.readTree("{\"type\":\"change\",\"version\":\"n1:1\",\"n\":-2.5e3}"),
        JSON.readTree(ChangeHead.of(frame)));
  }

  @Test
  void otherFrames_andFramesThatDoNotScan_areLeftWhole() {
    assertNull(ChangeHead.of("{\"type\":\"ack\",\"batchId\":\"b\",\"ops\":[]}"), "not a change");
    assertNull(ChangeHead.of("{\"version\":\"n1:1\",\"type\":\"change\"}"), "type not first");
    assertNull(ChangeHead.of("{\"type\":\"change\",\"ops\":[1,2}"), "unbalanced");
    assertNull(ChangeHead.of("{\"type\":\"change\",\"version\":\"n1:1"), "unterminated string");
    assertNull(ChangeHead.of("{\"type\":\"change\",\"ops\" [1]}"), "no colon");
    assertNull(ChangeHead.of("{\"type\":\"change\"} trailing"), "text after the object");
  }
}
