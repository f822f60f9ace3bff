package dev.chorus.server.store.jdbc;

import dev.chorus.server.store.OpLogStore.BatchRecord;
import dev.chorus.server.store.OpLogStore.StoredBatch;
import dev.chorus.server.store.OpLogStore.StoredChange;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * A group commit on PostgreSQL in one statement and one round trip: the change rows and the batch
 * records go as arrays ({@code unnest}) into one {@code INSERT}, the batch records' through a
 * data-modifying {@code WITH}, run in autocommit. One statement is atomic, so the group is still
 * all or nothing (a failed one leaves nothing to roll back), and it has committed (durable as the
 * server's {@code synchronous_commit} makes commits) when the driver returns. The general path
 * ({@code BEGIN}, one multi-row insert per table, {@code COMMIT}) costs three round trips; this one
 * cut PostgreSQL's CPU per group commit by about a third in {@code cluster-bench}
 * (docs/benchmarks.md, "Issue 15: CPU per op at 500 ops/s"). The statement's text does not depend
 * on the group's size, so the server plans it once per connection.
 */
final class PostgresAppend {
  /** Rows already stored (the same change or batch id) are left as they are. */
  private static final String SQL =
      "WITH batches AS ("
          + "INSERT INTO chorus_batches"
          + " (session_id, batch_id, content_hash, version, results_json, seq)"
          + " SELECT ?::text, * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int8[])"
          + " ON CONFLICT (session_id, batch_id) DO NOTHING)"
          + " INSERT INTO chorus_changes"
          + " (session_id, replica, start_counter, end_counter, seq, change_json, batch_id)"
          + " SELECT ?::text, * FROM unnest(?::text[], ?::int8[], ?::int8[], ?::int8[], ?::text[],"
          + " ?::text[])"
          + " ON CONFLICT (session_id, replica, start_counter) DO NOTHING";

  private PostgresAppend() {}

  /** Appends {@code batches} of {@code sessionId} in one autocommitted statement. */
  static void append(Connection c, String sessionId, List<StoredBatch> batches)
      throws SQLException {
    int changes = 0;
    int records = 0;
    for (StoredBatch b : batches) {
      changes += b.changes().size();
      records += b.record() == null ? 0 : 1;
    }
    String[] batchIds = new String[records];
    String[] hashes = new String[records];
    String[] versions = new String[records];
    String[] results = new String[records];
    Long[] batchSeqs = new Long[records];
    String[] replicas = new String[changes];
    Long[] starts = new Long[changes];
    Long[] ends = new Long[changes];
    Long[] seqs = new Long[changes];
    String[] json = new String[changes];
    String[] links = new String[changes];
    int r = 0;
    int i = 0;
    for (StoredBatch b : batches) {
      BatchRecord rec = b.record();
      if (rec != null) {
        batchIds[r] = rec.batchId();
        hashes[r] = rec.contentHash();
        versions[r] = rec.version();
        results[r] = rec.resultsJson();
        batchSeqs[r] = rec.seq();
        r++;
      }
      for (StoredChange sc : b.changes()) {
        replicas[i] = sc.replica();
        starts[i] = sc.startCounter();
        ends[i] = sc.endCounter();
        seqs[i] = sc.seq();
        json[i] = sc.json();
        links[i] = rec == null ? null : rec.batchId();
        i++;
      }
    }
    c.setAutoCommit(true);
    try (PreparedStatement p = c.prepareStatement(SQL)) {
      p.setString(1, sessionId);
      p.setArray(2, c.createArrayOf("text", batchIds));
      p.setArray(3, c.createArrayOf("text", hashes));
      p.setArray(4, c.createArrayOf("text", versions));
      p.setArray(5, c.createArrayOf("text", results));
      p.setArray(6, c.createArrayOf("int8", batchSeqs));
      p.setString(7, sessionId);
      p.setArray(8, c.createArrayOf("text", replicas));
      p.setArray(9, c.createArrayOf("int8", starts));
      p.setArray(10, c.createArrayOf("int8", ends));
      p.setArray(11, c.createArrayOf("int8", seqs));
      p.setArray(12, c.createArrayOf("text", json));
      p.setArray(13, c.createArrayOf("text", links));
      p.executeUpdate();
    }
  }
}
