// Replays a sequential editing trace through one Chorus Doc, one Doc.edit per trace transaction.
package dev.chorus.load.trace;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.op.Change;

/**
 * Sequential replay: a fresh {@link Doc} gets a text at {@link #TEXT}, then every trace transaction
 * becomes one {@code Doc.edit} whose body splices that transaction's patches in order — the same
 * grouping the peer engines use (see {@code peers/trace-replay.mjs}), so one trace transaction
 * costs one change everywhere.
 */
public final class TraceReplay {
  /** Where the replayed text lives in the document. */
  public static final Path TEXT = Path.parse("text");

  /** The author of every replayed edit (traces do not name their human). */
  public static final Author TYPIST = Author.human("trace-typist");

  private TraceReplay() {}

  /** Creates a document holding an empty text at {@link #TEXT}. */
  public static Doc newTextDoc(String replicaId) {
    Doc doc = new Doc(replicaId);
    doc.edit(TYPIST, null, 0L, e -> e.set(TEXT, Container.TEXT));
    return doc;
  }

  /**
   * Replays every transaction of a sequential trace into a fresh document and returns it (not yet
   * verified: compare {@link #text(Doc)} with the trace's end content).
   */
  public static Doc replay(EditingTrace trace) {
    if (trace.concurrent()) {
      throw new IllegalArgumentException(
          trace.name() + " is concurrent; use ConcurrentTraceReplay");
    }
    Doc doc = newTextDoc("r1");
    if (!trace.startContent().isEmpty()) {
      doc.edit(TYPIST, null, 0L, e -> e.spliceText(TEXT, 0, 0, trace.startContent()));
    }
    long timestamp = 0;
    for (TraceTransaction txn : trace.transactions()) {
      applyTransaction(doc, txn, ++timestamp);
    }
    return doc;
  }

  /**
   * Applies one trace transaction to a document as it is now: one edit splicing every patch.
   * Returns the change to replicate.
   */
  static Change applyTransaction(Doc doc, TraceTransaction txn, long timestamp) {
    return doc.edit(
        TYPIST,
        null,
        timestamp,
        e -> {
          for (TracePatch patch : txn.patches()) {
            e.spliceText(TEXT, patch.position(), patch.delete(), patch.insert());
          }
        });
  }

  /** The current content of the replayed text. */
  public static String text(Doc doc) {
    return (String) doc.get(TEXT);
  }
}
