package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static dev.chorus.server.session.StageFixtures.batch;
import static dev.chorus.server.session.StageFixtures.editor;
import static dev.chorus.server.session.StageFixtures.principal;
import static dev.chorus.server.session.StageFixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.server.auth.Role;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The admit stage (docs/protocol.md, "Error codes" and "Idempotency"): viewers cannot write, a
 * re-sent batch is answered with its first result, a reused id with other content is refused, a
 * full queue is {@code overloaded} and the rate limits say when to retry.
 */
class AdmissionTest {
  private static final String SET = "[{\"op\":\"set\",\"path\":\"title\",\"value\":\"x\"}]";
  private static final String TWO_SETS =
      "[{\"op\":\"set\",\"path\":\"a\",\"value\":1},{\"op\":\"set\",\"path\":\"b\",\"value\":2}]";

  private final Idempotency idempotency = new Idempotency(100);
  private final AtomicInteger duplicates = new AtomicInteger();

  private Admission admission(RateLimiter actor, RateLimiter session, int queueLimit) {
    return new Admission(
        "s1", idempotency, actor, session, queueLimit, duplicates::incrementAndGet);
  }

  private Admission unlimited(int queueLimit) {
    return admission(new RateLimiter(0), new RateLimiter(0), queueLimit);
  }

  /** Remembers {@code b} as applied and durable with version n1:7 and one null result. */
  private BatchResult applied(Frames.Batch b) {
    BatchResult r = BatchResult.of(b.batchId(), "n1:7", new String[] {null}, null);
    Promise<BatchResult> p = Promise.promise();
    idempotency.remember(b.batchId(), b.contentHash(), p, r);
    p.complete(r);
    return r;
  }

  @Test
  void aNewBatchOfAnEditorIsAdmitted() {
    assertNull(unlimited(10).admit(batch("b-1", "", SET), editor(ALICE), 0));
    assertNull(unlimited(10).admit(batch("b-2", "", SET), principal(ALICE, Role.OWNER), 0));
    assertEquals(0, duplicates.get());
  }

  @Test
  void aViewerIsRefusedWithForbidden() {
    ChorusException e =
        refused(
            ErrorCode.FORBIDDEN,
            () -> unlimited(10).admit(batch("b-1", "", SET), principal(ALICE, Role.VIEWER), 0));
    assertTrue(e.getMessage().contains("viewer"), e.getMessage());
  }

  @Test
  void aViewerIsRefusedEvenForABatchIdAlreadyApplied() {
    Frames.Batch b = batch("b-1", "", SET);
    applied(b);
    refused(ErrorCode.FORBIDDEN, () -> unlimited(10).admit(b, principal(ALICE, Role.VIEWER), 0));
  }

  @Test
  void aReSentBatchIsAnsweredWithItsFirstResult_markedDuplicate() {
    Frames.Batch b = batch("b-1", "n1:3", SET);
    BatchResult first = applied(b);
    Future<BatchResult> again = unlimited(10).admit(batch("b-1", "n1:3", SET), editor(ALICE), 0);
    assertTrue(again.succeeded());
    BatchResult r = again.result();
    assertTrue(r.duplicate());
    assertEquals(first.batchId(), r.batchId());
    assertEquals(first.version(), r.version());
    assertEquals(first.results(), r.results());
    assertFalse(first.duplicate(), "the stored result itself is not changed");
    assertEquals(1, duplicates.get(), "the duplicate is counted");
    assertTrue(r.toJson().path("duplicate").asBoolean());
  }

  @Test
  void aBatchReSentWhileItsCommitRuns_waitsForTheSameAck() {
    Frames.Batch b = batch("b-1", "", SET);
    Promise<BatchResult> commit = Promise.promise();
    BatchResult r = BatchResult.of("b-1", "n1:9", new String[] {null}, null);
    Idempotency.Outcome outcome = idempotency.remember("b-1", b.contentHash(), commit, r);
    Future<BatchResult> again = unlimited(10).admit(b, editor(ALICE), 1);
    assertFalse(again.isComplete(), "no ack before the first attempt is durable");
    outcome.complete(r);
    assertTrue(again.succeeded());
    assertTrue(again.result().duplicate());
    assertEquals("n1:9", again.result().version());
  }

  @Test
  void aBatchKnownFromTheStore_isAnsweredWithTheStoredResult() {
    Frames.Batch b =
        batch("b-1", "", "[{\"op\":\"insert\",\"path\":\"l\",\"after\":null,\"value\":1}]");
    idempotency.remember("b-1", b.contentHash(), "n1:4", "[{\"id\":\"4@n1\"}]");
    BatchResult r = unlimited(10).admit(b, editor(BOB), 0).result();
    assertTrue(r.duplicate());
    assertEquals("n1:4", r.version());
    assertEquals("4@n1", r.results().get(0).path("id").asText());
  }

  @Test
  void theSameIdWithOtherContent_isBatchIdReused() {
    applied(batch("b-1", "", SET));
    refused(
        ErrorCode.BATCH_ID_REUSED,
        () -> unlimited(10).admit(batch("b-1", "", TWO_SETS), editor(ALICE), 0));
    refused(
        ErrorCode.BATCH_ID_REUSED,
        () -> unlimited(10).admit(batch("b-1", "n1:1", SET), editor(ALICE), 0),
        "basedOn is part of the content");
    refused(
        ErrorCode.BATCH_ID_REUSED,
        () -> unlimited(10).admit(batch("b-1", "", true, SET), editor(ALICE), 0),
        "the precondition is part of the content");
    assertEquals(0, duplicates.get());
  }

  @Test
  void aFullQueue_isOverloadedWithARetryAfter() {
    Admission a = unlimited(3);
    assertNull(a.admit(batch("b-1", "", SET), editor(ALICE), 2));
    ChorusException e =
        refused(ErrorCode.OVERLOADED, () -> a.admit(batch("b-2", "", SET), editor(ALICE), 3));
    long retry = e.details().path("retryAfterMs").asLong(-1);
    assertTrue(retry >= 200 && retry <= 300, "jittered 200 ms: " + retry);
  }

  @Test
  void aReSentBatchIsAnsweredEvenWhenTheQueueIsFull() {
    Frames.Batch b = batch("b-1", "", SET);
    applied(b);
    assertTrue(unlimited(3).admit(b, editor(ALICE), 3).result().duplicate());
  }

  @Test
  void anActorOverItsOpsPerSecond_isRateLimited() {
    // 1 op/s: a burst of 2 ops
    RateLimiter actor = new RateLimiter(1);
    RateLimiter session = new RateLimiter(0);
    Admission a = admission(actor, session, 10);
    assertNull(a.admit(batch("b-1", "", TWO_SETS), editor(ALICE), 0));
    ChorusException e =
        refused(ErrorCode.RATE_LIMITED, () -> a.admit(batch("b-2", "", SET), editor(ALICE), 0));
    assertTrue(e.getMessage().contains("actor alice"), e.getMessage());
    assertTrue(e.details().path("retryAfterMs").asLong() > 0, e.details().toString());
    assertNull(a.admit(batch("b-3", "", SET), editor(BOB), 0), "each actor has its own bucket");
  }

  @Test
  void aSessionOverItsOpsPerSecond_isRateLimited_andTheActorsTokensAreGivenBack() {
    RateLimiter actor = new RateLimiter(1); // burst of 2 ops per actor
    RateLimiter session = new RateLimiter(1); // burst of 2 ops for the session
    assertEquals(0, session.acquire("s1", 2), "someone else used the session's burst");
    Admission a = admission(actor, session, 10);
    ChorusException e =
        refused(
            ErrorCode.RATE_LIMITED, () -> a.admit(batch("b-1", "", TWO_SETS), editor(ALICE), 0));
    assertTrue(e.getMessage().contains("session s1"), e.getMessage());
    assertTrue(e.details().path("retryAfterMs").asLong() > 0, e.details().toString());
    // alice's 2 tokens came back: without the refund she would wait about 2 s for them
    assertEquals(0, actor.acquire("alice", 2), "the session's refusal refunded alice's tokens");
  }
}
