package dev.chorus.server.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.store.OpLogStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link OpLogStore} over JDBC: SQLite (embedded file, the single-node default), H2, or PostgreSQL
 * (shared by the nodes of a cluster). The same code and SQL run on all; {@link Dialect} holds the
 * few differences (column types, insert-if-absent, driver settings), and PostgreSQL appends a group
 * commit in one statement ({@link PostgresAppend}).
 *
 * <p>Tables: {@code chorus_sessions} (id, shape), {@code chorus_changes} keyed by (session,
 * replica, start counter) holding the change JSON, its batch id and its log position {@code seq},
 * {@code chorus_batches} keyed by (session, batch id) for idempotency, {@code chorus_snapshots}
 * (one per session, with its version vector). Changes are immutable and keyed by their unique id:
 * appending the same change twice is a no-op, which keeps the log a grow-only set that several
 * nodes can write. Which changes a snapshot covers is decided by its version vector, never by log
 * positions (each node numbers its own).
 *
 * <p>Thread-safe (a Hikari pool); every method blocks.
 */
public final class JdbcOpLogStore implements OpLogStore {
  private final HikariDataSource ds;
  private final String url;
  private final Dialect dialect;
  // the inserts of every group commit, put together once
  private final String insertChange;
  private final String insertBatch;

  public JdbcOpLogStore(String url, int poolSize) {
    this.url = url;
    this.dialect = Dialect.of(url);
    this.insertChange = dialect.insertIfAbsent("chorus_changes", CHANGE_COLUMNS, CHANGE_KEY);
    this.insertBatch = dialect.insertIfAbsent("chorus_batches", BATCH_COLUMNS, BATCH_KEY);
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(dialect.poolSize(poolSize));
    c.setPoolName("chorus-store");
    c.setAutoCommit(false);
    c.setConnectionTimeout(10_000);
    // A node may start before its store answers (PostgreSQL still starting; several nodes opening
    // one shared H2 file at once): keep trying for a while instead of failing at once.
    c.setInitializationFailTimeout(60_000);
    dialect.connectionProperties().forEach(c::addDataSourceProperty);
    this.ds = new HikariDataSource(c);
  }

  private String text() {
    return dialect.text();
  }

  private String blob() {
    return dialect.blob();
  }

  private static final List<String> CHANGE_COLUMNS =
      List.of(
          "session_id",
          "replica",
          "start_counter",
          "end_counter",
          "seq",
          "change_json",
          "batch_id");
  private static final List<String> CHANGE_KEY = List.of("session_id", "replica", "start_counter");
  private static final List<String> BATCH_COLUMNS =
      List.of("session_id", "batch_id", "content_hash", "version", "results_json", "seq");
  private static final List<String> BATCH_KEY = List.of("session_id", "batch_id");

  @Override
  public void init() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      if (dialect.schemaLock() != null) {
        s.execute(dialect.schemaLock());
      }
      s.execute(
          "CREATE TABLE IF NOT EXISTS chorus_sessions (session_id VARCHAR(128) PRIMARY KEY,"
              + " shape VARCHAR(32) NOT NULL, created_at BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS chorus_changes (session_id VARCHAR(128) NOT NULL,"
              + " replica VARCHAR(128) NOT NULL, start_counter BIGINT NOT NULL,"
              + " end_counter BIGINT NOT NULL, seq BIGINT NOT NULL, change_json "
              + text()
              + " NOT NULL, batch_id VARCHAR(128),"
              + " PRIMARY KEY (session_id, replica, start_counter))");
      if (dialect.migrates()) {
        // tables made before the cluster store lack the batch link
        s.execute("ALTER TABLE chorus_changes ADD COLUMN IF NOT EXISTS batch_id VARCHAR(128)");
      }
      s.execute(
          "CREATE INDEX IF NOT EXISTS chorus_changes_seq ON chorus_changes (session_id, seq)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS chorus_batches (session_id VARCHAR(128) NOT NULL,"
              + " batch_id VARCHAR(128) NOT NULL, content_hash VARCHAR(64) NOT NULL,"
              + " version "
              + text()
              + " NOT NULL, results_json "
              + text()
              + " NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (session_id, batch_id))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS chorus_snapshots (session_id VARCHAR(128) PRIMARY KEY,"
              + " version "
              + text()
              + " NOT NULL, seq BIGINT NOT NULL, prev_seq BIGINT NOT NULL, data "
              + blob()
              + " NOT NULL, created_at BIGINT NOT NULL, compaction_marks "
              + text()
              + ")");
      if (dialect.migrates()) {
        // tables made before single-node compaction lack its marks
        s.execute(
            "ALTER TABLE chorus_snapshots ADD COLUMN IF NOT EXISTS compaction_marks " + text());
      }
      c.commit();
    }
  }

  @Override
  public Optional<SessionData> load(String sessionId, int batchWindow) throws SQLException {
    try (Connection c = ds.getConnection()) {
      readOnly(c);
      try {
        String shape;
        try (PreparedStatement p =
            c.prepareStatement("SELECT shape FROM chorus_sessions WHERE session_id = ?")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            if (!r.next()) {
              return Optional.empty();
            }
            shape = r.getString(1);
          }
        }
        byte[] snapshot = null;
        String marks = null;
        long snapSeq = 0;
        VersionVector snapVersion = VersionVector.EMPTY;
        try (PreparedStatement p =
            c.prepareStatement(
                "SELECT data, seq, version, compaction_marks FROM chorus_snapshots"
                    + " WHERE session_id = ?")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            if (r.next()) {
              snapshot = r.getBytes(1);
              snapSeq = r.getLong(2);
              snapVersion = VersionVector.parse(r.getString(3));
              marks = r.getString(4);
            }
          }
        }
        // Every change the snapshot does not cover, whichever node wrote it (log positions of
        // different nodes are not comparable). The rows first, without their JSON: the ones the
        // snapshot covers only lend their batch ids; then the JSON of the others, per replica.
        List<StoredChange> rows = new ArrayList<>();
        List<StoredChange> covered = new ArrayList<>();
        Map<String, Map<Long, String>> json = new HashMap<>();
        long lastSeq = snapSeq;
        try (PreparedStatement p =
            c.prepareStatement(
                "SELECT replica, start_counter, end_counter, seq, batch_id"
                    + " FROM chorus_changes WHERE session_id = ? ORDER BY seq, replica, start_counter")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
              String replica = r.getString(1);
              long start = r.getLong(2);
              lastSeq = Math.max(lastSeq, r.getLong(4));
              StoredChange row =
                  new StoredChange(
                      replica, start, r.getLong(3), r.getLong(4), null, r.getString(5));
              if (snapVersion.get(replica) >= start) {
                covered.add(row);
              } else {
                rows.add(row);
                json.computeIfAbsent(replica, k -> new HashMap<>());
              }
            }
          }
        }
        for (Map.Entry<String, Map<Long, String>> e : json.entrySet()) {
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT start_counter, change_json FROM chorus_changes"
                      + " WHERE session_id = ? AND replica = ? AND start_counter > ?")) {
            p.setString(1, sessionId);
            p.setString(2, e.getKey());
            p.setLong(3, snapVersion.get(e.getKey()));
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                e.getValue().put(r.getLong(1), r.getString(2));
              }
            }
          }
        }
        List<StoredChange> changes = new ArrayList<>(rows.size());
        for (StoredChange row : rows) {
          String text = json.get(row.replica()).get(row.startCounter());
          if (text == null) {
            throw new SQLException(
                "change " + row.startCounter() + "@" + row.replica() + " vanished during the load");
          }
          changes.add(
              new StoredChange(
                  row.replica(),
                  row.startCounter(),
                  row.endCounter(),
                  row.seq(),
                  text,
                  row.batchId()));
        }
        List<BatchRecord> batches = new ArrayList<>();
        try (PreparedStatement p =
            c.prepareStatement(
                "SELECT batch_id, content_hash, version, results_json, seq FROM chorus_batches"
                    + " WHERE session_id = ? ORDER BY seq DESC")) {
          p.setString(1, sessionId);
          p.setMaxRows(batchWindow);
          try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
              batches.add(
                  new BatchRecord(
                      r.getString(1),
                      r.getString(2),
                      r.getString(3),
                      r.getString(4),
                      r.getLong(5)));
              lastSeq = Math.max(lastSeq, r.getLong(5));
            }
          }
        }
        Collections.reverse(batches);
        return Optional.of(
            new SessionData(shape, snapshot, marks, snapSeq, changes, covered, batches, lastSeq));
      } finally {
        c.rollback();
      }
    }
  }

  @Override
  public void create(String sessionId, String shape) throws SQLException {
    try (Connection c = ds.getConnection()) {
      try (PreparedStatement p =
          c.prepareStatement("SELECT 1 FROM chorus_sessions WHERE session_id = ?")) {
        p.setString(1, sessionId);
        try (ResultSet r = p.executeQuery()) {
          if (r.next()) {
            c.rollback();
            return;
          }
        }
      }
      try (PreparedStatement p =
          c.prepareStatement(
              "INSERT INTO chorus_sessions (session_id, shape, created_at) VALUES (?, ?, ?)")) {
        p.setString(1, sessionId);
        p.setString(2, shape);
        p.setLong(3, System.currentTimeMillis());
        p.executeUpdate();
        c.commit();
      } catch (SQLException e) {
        // lost a creation race: the other writer's row stands
        c.rollback();
      }
    }
  }

  @Override
  public void append(String sessionId, List<StoredBatch> batches) throws SQLException {
    try (Connection c = ds.getConnection()) {
      if (dialect.appendsInOneStatement()) {
        PostgresAppend.append(c, sessionId, batches);
        return;
      }
      try (PreparedStatement ch = c.prepareStatement(insertChange);
          PreparedStatement b = c.prepareStatement(insertBatch)) {
        boolean anyBatch = false;
        for (StoredBatch sb : batches) {
          BatchRecord r = sb.record();
          for (StoredChange sc : sb.changes()) {
            ch.setString(1, sessionId);
            ch.setString(2, sc.replica());
            ch.setLong(3, sc.startCounter());
            ch.setLong(4, sc.endCounter());
            ch.setLong(5, sc.seq());
            ch.setString(6, sc.json());
            ch.setString(7, r == null ? null : r.batchId());
            ch.addBatch();
          }
          if (r != null) {
            b.setString(1, sessionId);
            b.setString(2, r.batchId());
            b.setString(3, r.contentHash());
            b.setString(4, r.version());
            b.setString(5, r.resultsJson());
            b.setLong(6, r.seq());
            b.addBatch();
            anyBatch = true;
          }
        }
        ch.executeBatch();
        if (anyBatch) {
          b.executeBatch();
        }
        c.commit();
      } catch (SQLException e) {
        rollbackAfter(c, e);
        throw e;
      }
    }
  }

  @Override
  public CatchUp changesAfter(String sessionId, String have) throws SQLException {
    VersionVector h = VersionVector.parse(have);
    try (Connection c = ds.getConnection()) {
      readOnly(c);
      try {
        String snapVersion = "";
        try (PreparedStatement p =
            c.prepareStatement("SELECT version FROM chorus_snapshots WHERE session_id = ?")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            if (r.next()) {
              snapVersion = r.getString(1);
            }
          }
        }
        // Cheap first: the newest change per replica. Usually nothing is missing.
        Map<String, Long> heads = new LinkedHashMap<>();
        try (PreparedStatement p =
            c.prepareStatement(
                "SELECT replica, MAX(end_counter) FROM chorus_changes WHERE session_id = ?"
                    + " GROUP BY replica")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
              heads.put(r.getString(1), r.getLong(2));
            }
          }
        }
        List<StoredBatch> out = new ArrayList<>();
        for (Map.Entry<String, Long> head : heads.entrySet()) {
          long from = h.get(head.getKey());
          if (head.getValue() <= from) {
            continue;
          }
          try (PreparedStatement p =
              c.prepareStatement(
                  "SELECT c.start_counter, c.end_counter, c.seq, c.change_json, b.batch_id,"
                      + " b.content_hash, b.version, b.results_json, b.seq"
                      + " FROM chorus_changes c LEFT JOIN chorus_batches b"
                      + " ON b.session_id = c.session_id AND b.batch_id = c.batch_id"
                      + " WHERE c.session_id = ? AND c.replica = ? AND c.start_counter > ?"
                      + " ORDER BY c.start_counter")) {
            p.setString(1, sessionId);
            p.setString(2, head.getKey());
            p.setLong(3, from);
            try (ResultSet r = p.executeQuery()) {
              while (r.next()) {
                StoredChange sc =
                    new StoredChange(
                        head.getKey(), r.getLong(1), r.getLong(2), r.getLong(3), r.getString(4));
                BatchRecord br =
                    r.getString(5) == null
                        ? null
                        : new BatchRecord(
                            r.getString(5),
                            r.getString(6),
                            r.getString(7),
                            r.getString(8),
                            r.getLong(9));
                out.add(new StoredBatch(br, List.of(sc)));
              }
            }
          }
        }
        return new CatchUp(snapVersion, out);
      } finally {
        c.rollback();
      }
    }
  }

  @Override
  public void snapshot(
      String sessionId,
      byte[] data,
      String compactionMarks,
      String version,
      long seq,
      long keepBatchesFromSeq)
      throws SQLException {
    VersionVector next = VersionVector.parse(version);
    try (Connection c = ds.getConnection()) {
      try {
        long prevSeq = 0;
        String prevVersion = null;
        try (PreparedStatement p =
            c.prepareStatement("SELECT seq, version FROM chorus_snapshots WHERE session_id = ?")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            if (r.next()) {
              prevSeq = r.getLong(1);
              prevVersion = r.getString(2);
            }
          }
        }
        VersionVector prev = prevVersion == null ? null : VersionVector.parse(prevVersion);
        if (prev != null && (prev.equals(next) || !next.dominates(prev))) {
          // Another node of a shared store saved a snapshot this one does not cover: keep it.
          c.rollback();
          return;
        }
        int written;
        if (prev != null) {
          // compare-and-set on the version: a concurrent writer's newer snapshot is never lost
          try (PreparedStatement p =
              c.prepareStatement(
                  "UPDATE chorus_snapshots SET version = ?, seq = ?, prev_seq = ?, data = ?,"
                      + " created_at = ?, compaction_marks = ? WHERE session_id = ? AND version = ?")) {
            p.setString(1, version);
            p.setLong(2, seq);
            p.setLong(3, prevSeq);
            p.setBytes(4, data);
            p.setLong(5, System.currentTimeMillis());
            p.setString(6, compactionMarks);
            p.setString(7, sessionId);
            p.setString(8, prevVersion);
            written = p.executeUpdate();
          }
        } else {
          try (PreparedStatement p =
              c.prepareStatement(
                  dialect.insertIfAbsent(
                      "chorus_snapshots",
                      List.of(
                          "session_id",
                          "version",
                          "seq",
                          "prev_seq",
                          "data",
                          "created_at",
                          "compaction_marks"),
                      List.of("session_id")))) {
            p.setString(1, sessionId);
            p.setString(2, version);
            p.setLong(3, seq);
            p.setLong(4, 0);
            p.setBytes(5, data);
            p.setLong(6, System.currentTimeMillis());
            p.setString(7, compactionMarks);
            written = p.executeUpdate();
          }
        }
        if (written != 1) {
          c.rollback();
          return;
        }
        // Keep one snapshot interval of changes for history and resume: drop what the replaced
        // snapshot covered (the new one covers it too). start_counter <= end_counter always: the
        // redundant bound lets the primary key find the rows instead of a scan of the session's
        // (a quarter of the store thread's samples in server-bench went to that scan and its
        // deletes).
        if (prev != null) {
          try (PreparedStatement p =
              c.prepareStatement(
                  "DELETE FROM chorus_changes WHERE session_id = ? AND replica = ?"
                      + " AND start_counter <= ? AND end_counter <= ?")) {
            for (Map.Entry<String, Long> e : prev.asMap().entrySet()) {
              p.setString(1, sessionId);
              p.setString(2, e.getKey());
              p.setLong(3, e.getValue());
              p.setLong(4, e.getValue());
              p.addBatch();
            }
            p.executeBatch();
          }
        }
        try (PreparedStatement p =
            c.prepareStatement("DELETE FROM chorus_batches WHERE session_id = ? AND seq < ?")) {
          p.setString(1, sessionId);
          p.setLong(2, keepBatchesFromSeq);
          p.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        rollbackAfter(c, e);
        throw e;
      }
    }
  }

  /** Marks a read transaction's connection read-only where the driver allows it. */
  private void readOnly(Connection c) throws SQLException {
    if (dialect.readOnlyHint()) {
      c.setReadOnly(true);
    }
  }

  /**
   * Rolls back after {@code failure}; a rollback that fails too (SQLite has already ended the
   * transaction after some errors) must not hide the failure.
   */
  private static void rollbackAfter(Connection c, SQLException failure) {
    try {
      c.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  @Override
  public boolean healthy() {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      c.rollback();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public String describe() {
    return url;
  }

  @Override
  public void close() {
    ds.close();
  }
}
