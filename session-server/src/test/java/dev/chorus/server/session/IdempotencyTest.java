package dev.chorus.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

/**
 * The session's last {@code idempotencyWindow} batch ids (docs/protocol.md, "Idempotency"): their
 * content hash and result, whether the batch is durable already (loaded from the store) or still
 * committing (a re-send then waits for the same ack); older ids fall out of the window.
 */
class IdempotencyTest {
  private static BatchResult result(String batchId, String version) {
    return BatchResult.of(batchId, version, new String[] {null}, null);
  }

  @Test
  void anUnknownBatchIdIsNotRemembered() {
    assertNull(new Idempotency(10).get("b-1"));
  }

  @Test
  void aBatchFromTheStore_answersWithItsStoredResult() {
    Idempotency ids = new Idempotency(10);
    ids.remember("b-1", "hash-1", "n1:5,n2:3", "[null,{\"id\":\"5@n1\"}]");
    Idempotency.Outcome o = ids.get("b-1");
    assertEquals("hash-1", o.contentHash());
    Future<BatchResult> f = o.result();
    assertTrue(f.succeeded(), "a stored batch is durable");
    BatchResult r = f.result();
    assertEquals("b-1", r.batchId());
    assertEquals("n1:5,n2:3", r.version());
    assertEquals(2, r.results().size());
    assertTrue(r.results().get(0).isNull());
    assertEquals("5@n1", r.results().get(1).path("id").asText());
    assertFalse(r.duplicate());
    assertSame(r, o.resultIfDone(), "parsed once");
  }

  @Test
  void storedResultsThatCannotBeParsed_becomeAnEmptyList() {
    Idempotency ids = new Idempotency(10);
    ids.remember("b-1", "h", "n1:1", "{not json");
    assertEquals(0, ids.get("b-1").resultIfDone().results().size());
  }

  @Test
  void aBatchStillCommitting_answersOnlyOnceItIsDurable() {
    Idempotency ids = new Idempotency(10);
    Promise<BatchResult> commit = Promise.promise();
    BatchResult r = result("b-1", "n1:2");
    Idempotency.Outcome o = ids.remember("b-1", "h", commit, r);
    assertSame(o, ids.get("b-1"));
    assertSame(r, o.resultIfDone(), "the result as computed at apply time");
    Future<BatchResult> waiting = o.result();
    assertFalse(waiting.isComplete());
    o.complete(r);
    assertSame(r, waiting.result());
    o.complete(result("b-1", "n1:99"));
    assertEquals("n1:2", o.result().result().version(), "the first completion holds");
  }

  @Test
  void aFailedCommit_failsEveryoneWaiting() {
    Idempotency ids = new Idempotency(10);
    Idempotency.Outcome o = ids.remember("b-1", "h", Promise.promise(), result("b-1", "n1:2"));
    Future<BatchResult> waiting = o.result();
    o.fail(new IllegalStateException("store down"));
    assertTrue(waiting.failed());
    assertEquals("store down", waiting.cause().getMessage());
  }

  @Test
  void onlyTheLastWindowOfBatchIdsIsKept() {
    Idempotency ids = new Idempotency(3);
    for (int i = 1; i <= 5; i++) {
      ids.remember("b-" + i, "h" + i, "n1:" + i, "[]");
    }
    assertNull(ids.get("b-1"));
    assertNull(ids.get("b-2"));
    for (int i = 3; i <= 5; i++) {
      assertNotNull(ids.get("b-" + i), "b-" + i);
      assertEquals("h" + i, ids.get("b-" + i).contentHash());
    }
  }

  @Test
  void aLookupDoesNotKeepAnOldIdInTheWindow() {
    Idempotency ids = new Idempotency(2);
    ids.remember("b-1", "h", "n1:1", "[]");
    ids.remember("b-2", "h", "n1:2", "[]");
    ids.get("b-1");
    ids.remember("b-3", "h", "n1:3", "[]");
    assertNull(ids.get("b-1"), "the window is the last ids applied, not the last ids read");
    assertNotNull(ids.get("b-2"));
  }

  @Test
  void aForgottenBatch_isValidatedAndAppliedAgainWhenReSent() {
    Idempotency ids = new Idempotency(10);
    ids.remember("b-1", "h", Promise.promise(), result("b-1", "n1:1"));
    ids.forget("b-1");
    assertNull(ids.get("b-1"));
  }
}
