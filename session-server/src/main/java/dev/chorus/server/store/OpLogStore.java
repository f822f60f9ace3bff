package dev.chorus.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The durable op log and snapshots of sessions (SPI). An implementation MUST make {@link #append}
 * durable before it returns: the server acks a batch only after that, and promises that an acked
 * batch survives a crash of the process.
 *
 * <p>Every method blocks: call them from a worker thread, never from an event loop. Calls for one
 * session from one node are made one at a time (the session serialises them); calls for different
 * sessions, and calls from other nodes sharing the store (a cluster on PostgreSQL), may run
 * concurrently. The log is a grow-only set keyed by change id, so implementations MUST treat a
 * change or batch record that is already stored as stored (insert if absent), and compaction MUST
 * only delete changes a stored snapshot covers.
 */
public interface OpLogStore extends AutoCloseable {

  /**
   * One CRDT change, in the codec's JSON encoding, with its position in the session's log and, when
   * read back, the id of the batch that made it (null for server-made changes).
   */
  record StoredChange(
      String replica, long startCounter, long endCounter, long seq, String json, String batchId) {
    public StoredChange(String replica, long startCounter, long endCounter, long seq, String json) {
      this(replica, startCounter, endCounter, seq, json, null);
    }
  }

  /**
   * What is remembered of a batch for idempotency: its id, the hash of its content and its result.
   */
  record BatchRecord(
      String batchId, String contentHash, String version, String resultsJson, long seq) {}

  /** One applied batch: its record and the change(s) it produced. */
  record StoredBatch(BatchRecord record, List<StoredChange> changes) {}

  /**
   * A session as stored: shape, latest snapshot (may be null) and the compaction marks stored with
   * it (may be null), the changes after it in log order, the changes still stored that the snapshot
   * covers (without their JSON: for their batch ids), and the most recent batch records (newest
   * last).
   */
  record SessionData(
      String shape,
      byte[] snapshot,
      String compactionMarks,
      long snapshotSeq,
      List<StoredChange> changes,
      List<StoredChange> covered,
      List<BatchRecord> batches,
      long lastSeq) {}

  /**
   * Changes of a session that {@code have} does not include, each with its batch record if it has
   * one, oldest first per replica; and the version of the stored snapshot ("" if none). Catch-up of
   * a replica that may have missed changes.
   */
  record CatchUp(String snapshotVersion, List<StoredBatch> changes) {}

  /** Creates tables if missing. */
  void init() throws Exception;

  /** Loads a session, or empty if it was never created. */
  Optional<SessionData> load(String sessionId, int batchWindow) throws Exception;

  /** Creates a session (idempotent: an existing session keeps its shape). */
  void create(String sessionId, String shape) throws Exception;

  /**
   * Appends batches in one transaction; durable when this returns. Rows already stored (same change
   * id, same batch id) are left as they are.
   */
  void append(String sessionId, List<StoredBatch> batches) throws Exception;

  /** The changes {@code have} (a version vector, codec text) lacks; see {@link CatchUp}. */
  CatchUp changesAfter(String sessionId, String have) throws Exception;

  /**
   * Saves a snapshot of version {@code version} (log position {@code seq}), with the session's
   * compaction marks (opaque text, may be null), unless the stored one is not older (another node
   * of a shared store got there first), then compacts: changes covered by the replaced snapshot are
   * deleted (one snapshot interval of history stays), and batch records older than {@code
   * keepBatchesFromSeq}.
   */
  void snapshot(
      String sessionId,
      byte[] snapshot,
      String compactionMarks,
      String version,
      long seq,
      long keepBatchesFromSeq)
      throws Exception;

  /** A cheap liveness probe. */
  boolean healthy();

  /** Where the data lives, for the start-up log. */
  String describe();

  @Override
  void close();
}
