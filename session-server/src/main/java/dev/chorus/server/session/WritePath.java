package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.session.OpTranslation.ResolvedOp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A local write from batch to queued commit, through its stages in order (docs/architecture.md):
 * admit ({@link Admission}) → translate ({@link OpTranslation}) → check ({@link WriteCheck}) →
 * apply ({@link WriteApplier}) → make durable ({@link GroupCommit}, which then has the {@link
 * Publisher} ack and broadcast it). Each stage throws the client error that stops the batch; the
 * stages before apply change nothing, and apply is all or nothing. On the session's context.
 */
final class WritePath {
  private final Doc doc;
  private final Admission admission;
  private final WriteCheck check;
  private final WriteApplier applier;
  private final Idempotency idempotency;
  private final ChangeHistory history;
  private final GroupCommit commit;
  private final Participants participants;
  private final Supplier<ObjectNode> view;
  private final LongSupplier nextSeq;

  WritePath(
      Doc doc,
      Admission admission,
      WriteCheck check,
      WriteApplier applier,
      Idempotency idempotency,
      ChangeHistory history,
      GroupCommit commit,
      Participants participants,
      Supplier<ObjectNode> view,
      LongSupplier nextSeq) {
    this.doc = doc;
    this.admission = admission;
    this.check = check;
    this.applier = applier;
    this.idempotency = idempotency;
    this.history = history;
    this.commit = commit;
    this.participants = participants;
    this.view = view;
    this.nextSeq = nextSeq;
  }

  /**
   * Runs the stages; the future completes once the batch is durable (or is the earlier result of a
   * re-sent batch). Throws the {@code ChorusException} that refuses a batch.
   */
  Future<BatchResult> submit(Frames.Batch b, Principal principal, Participant origin, long start) {
    try {
      return stages(b, principal, origin, start);
    } catch (DocException e) {
      throw refusal(e);
    }
  }

  private Future<BatchResult> stages(
      Frames.Batch b, Principal principal, Participant origin, long start) {
    Future<BatchResult> earlier = admission.admit(b, principal, commit.queued());
    if (earlier != null) {
      return earlier;
    }
    VersionVector basedOn = check.basedOn(b);
    check.conflictOpen(b);
    List<ResolvedOp> ops = OpTranslation.resolve(b.ops());
    check.shape(ops);
    if (b.strict()) {
      check.precondition(basedOn, ops);
    }
    long added = OpTranslation.addedBytes(ops);
    check.size(added);

    Author author = principal.author();
    WriteApplier.Applied applied = applier.apply(author, basedOn, ops, System.currentTimeMillis());
    check.grew(added);

    VersionVector version = doc.version();
    Change change = applied.change();
    if (change == null) {
      // the batch made no op: nothing to store or send
      BatchResult r = BatchResult.of(b.batchId(), version.toString(), applied.ids(), null);
      Promise<BatchResult> done = Promise.promise();
      done.complete(r);
      idempotency.remember(b.batchId(), b.contentHash(), done, r);
      return done.future();
    }
    boolean originWants = origin != null && origin.wantsSnapshots();
    ObjectNode after = originWants || participants.anyWantsSnapshots() ? view.get() : null;
    Promise<BatchResult> promise = Promise.promise();
    Idempotency.Outcome outcome =
        idempotency.remember(
            b.batchId(),
            b.contentHash(),
            promise,
            BatchResult.of(
                b.batchId(), version.toString(), applied.ids(), originWants ? after : null));
    history.batchOf(change.replica(), change.startCounter(), b.batchId());
    commit.add(
        new PendingWrite(
            b,
            author,
            change,
            ChangeCodec.toJsonString(change),
            OpTranslation.appliedOpsJson(ops, applied.ids()),
            version,
            applied.events(),
            after,
            outcome,
            origin,
            nextSeq.getAsLong(),
            start));
    return promise.future();
  }

  /** The client error for a write the document refused. */
  static ChorusException refusal(DocException e) {
    return switch (e.code()) {
      case PATH_NOT_FOUND -> new ChorusException(ErrorCode.PATH_NOT_FOUND, e.getMessage());
      case STALE_BASE, UNKNOWN_BASE -> new ChorusException(ErrorCode.STALE_BASE, e.getMessage());
      default ->
          new ChorusException(ErrorCode.INVALID_OP, e.code().wireName() + ": " + e.getMessage());
    };
  }
}
