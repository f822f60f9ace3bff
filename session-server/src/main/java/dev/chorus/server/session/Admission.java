package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import io.vertx.core.Future;

/**
 * The admit stage of a write: may this writer write now, and is this batch new? In order: the role
 * must allow writing; a batch id seen before is answered with its first result (or refused if the
 * content differs) and goes no further; the session's queue must have room; the actor's and the
 * session's rate limits must have tokens (a refusal says when to retry). On the session's context.
 */
final class Admission {
  private final String sessionId;
  private final Idempotency idempotency;
  private final RateLimiter actorRate;
  private final RateLimiter sessionRate;
  private final int queueLimit;
  private final Runnable duplicateSeen;

  Admission(
      String sessionId,
      Idempotency idempotency,
      RateLimiter actorRate,
      RateLimiter sessionRate,
      int queueLimit,
      Runnable duplicateSeen) {
    this.sessionId = sessionId;
    this.idempotency = idempotency;
    this.actorRate = actorRate;
    this.sessionRate = sessionRate;
    this.queueLimit = queueLimit;
    this.duplicateSeen = duplicateSeen;
  }

  /**
   * Admits a batch: null if it may go on to be applied, the earlier result if it is a re-sent
   * batch; throws the refusal otherwise.
   *
   * @param queued batches of this session applied and not yet durable
   */
  Future<BatchResult> admit(Frames.Batch b, Principal principal, int queued) {
    if (!principal.role().canWrite()) {
      throw new ChorusException(
          ErrorCode.FORBIDDEN, "role " + principal.role().wireName() + " cannot write");
    }
    Idempotency.Outcome seen = idempotency.get(b.batchId());
    if (seen != null) {
      if (!seen.contentHash().equals(b.contentHash())) {
        throw new ChorusException(
            ErrorCode.BATCH_ID_REUSED,
            "batch id " + b.batchId() + " was already used for a batch with other content");
      }
      duplicateSeen.run();
      return seen.result().map(BatchResult::asDuplicate);
    }
    if (queued >= queueLimit) {
      throw new ChorusException(
          ErrorCode.OVERLOADED,
          "session write queue is full",
          retryAfter(RateLimiter.jittered(200)));
    }
    int ops = b.ops().size();
    long wait = actorRate.acquire(principal.actorId(), ops);
    if (wait > 0) {
      throw new ChorusException(
          ErrorCode.RATE_LIMITED,
          "actor " + principal.actorId() + " is over its ops per second",
          retryAfter(wait));
    }
    long sessionWait = sessionRate.acquire(sessionId, ops);
    if (sessionWait > 0) {
      actorRate.refund(principal.actorId(), ops);
      throw new ChorusException(
          ErrorCode.RATE_LIMITED,
          "session " + sessionId + " is over its ops per second",
          retryAfter(sessionWait));
    }
    return null;
  }

  private static ObjectNode retryAfter(long ms) {
    return Values.NODES.objectNode().put("retryAfterMs", ms);
  }
}
