package dev.chorus.server.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.chorus.server.store.OpLogStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * {@link OpLogStore} over JDBC: H2 (embedded file, the single-node default) or PostgreSQL.
 *
 * <p>Tables: {@code chorus_sessions} (id, shape), {@code chorus_changes} keyed by (session,
 * replica, start counter) holding the change JSON and its log position {@code seq}, {@code
 * chorus_batches} keyed by (session, batch id) for idempotency, {@code chorus_snapshots} (one per
 * session). Changes are immutable and keyed by their unique id: appending the same change twice is
 * a no-op, which keeps the log a grow-only set.
 *
 * <p>Thread-safe (a Hikari pool); every method blocks.
 */
public final class JdbcOpLogStore implements OpLogStore {
  private final HikariDataSource ds;
  private final String url;
  private final boolean postgres;

  public JdbcOpLogStore(String url, int poolSize) {
    this.url = url;
    this.postgres = url.startsWith("jdbc:postgresql:");
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(url);
    c.setMaximumPoolSize(Math.max(2, poolSize));
    c.setPoolName("chorus-store");
    c.setAutoCommit(false);
    c.setConnectionTimeout(10_000);
    this.ds = new HikariDataSource(c);
  }

  private String text() {
    return postgres ? "TEXT" : "CLOB";
  }

  private String blob() {
    return postgres ? "BYTEA" : "BLOB";
  }

  @Override
  public void init() throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS chorus_sessions (session_id VARCHAR(128) PRIMARY KEY,"
              + " shape VARCHAR(32) NOT NULL, created_at BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS chorus_changes (session_id VARCHAR(128) NOT NULL,"
              + " replica VARCHAR(128) NOT NULL, start_counter BIGINT NOT NULL,"
              + " end_counter BIGINT NOT NULL, seq BIGINT NOT NULL, change_json "
              + text()
              + " NOT NULL, PRIMARY KEY (session_id, replica, start_counter))");
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
              + " NOT NULL, created_at BIGINT NOT NULL)");
      c.commit();
    }
  }

  @Override
  public Optional<SessionData> load(String sessionId, int batchWindow) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setReadOnly(true);
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
        long snapSeq = 0;
        try (PreparedStatement p =
            c.prepareStatement("SELECT data, seq FROM chorus_snapshots WHERE session_id = ?")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            if (r.next()) {
              snapshot = r.getBytes(1);
              snapSeq = r.getLong(2);
            }
          }
        }
        List<StoredChange> changes = new ArrayList<>();
        long lastSeq = snapSeq;
        try (PreparedStatement p =
            c.prepareStatement(
                "SELECT replica, start_counter, end_counter, seq, change_json FROM chorus_changes"
                    + " WHERE session_id = ? AND seq > ? ORDER BY seq")) {
          p.setString(1, sessionId);
          p.setLong(2, snapSeq);
          try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
              changes.add(
                  new StoredChange(
                      r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getString(5)));
              lastSeq = Math.max(lastSeq, r.getLong(4));
            }
          }
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
        return Optional.of(new SessionData(shape, snapshot, snapSeq, changes, batches, lastSeq));
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
      try (PreparedStatement ch =
              c.prepareStatement(
                  "INSERT INTO chorus_changes (session_id, replica, start_counter, end_counter,"
                      + " seq, change_json) VALUES (?, ?, ?, ?, ?, ?)");
          PreparedStatement b =
              c.prepareStatement(
                  "INSERT INTO chorus_batches (session_id, batch_id, content_hash, version,"
                      + " results_json, seq) VALUES (?, ?, ?, ?, ?, ?)")) {
        boolean anyBatch = false;
        for (StoredBatch sb : batches) {
          for (StoredChange sc : sb.changes()) {
            ch.setString(1, sessionId);
            ch.setString(2, sc.replica());
            ch.setLong(3, sc.startCounter());
            ch.setLong(4, sc.endCounter());
            ch.setLong(5, sc.seq());
            ch.setString(6, sc.json());
            ch.addBatch();
          }
          if (sb.record() != null) {
            BatchRecord r = sb.record();
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
        c.rollback();
        throw e;
      }
    }
  }

  @Override
  public void snapshot(
      String sessionId, byte[] data, String version, long seq, long keepBatchesFromSeq)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      try {
        long prevSeq = 0;
        boolean exists = false;
        try (PreparedStatement p =
            c.prepareStatement("SELECT seq FROM chorus_snapshots WHERE session_id = ?")) {
          p.setString(1, sessionId);
          try (ResultSet r = p.executeQuery()) {
            if (r.next()) {
              prevSeq = r.getLong(1);
              exists = true;
            }
          }
        }
        String sql =
            exists
                ? "UPDATE chorus_snapshots SET version = ?, seq = ?, prev_seq = ?, data = ?,"
                    + " created_at = ? WHERE session_id = ?"
                : "INSERT INTO chorus_snapshots (version, seq, prev_seq, data, created_at,"
                    + " session_id) VALUES (?, ?, ?, ?, ?, ?)";
        try (PreparedStatement p = c.prepareStatement(sql)) {
          p.setString(1, version);
          p.setLong(2, seq);
          p.setLong(3, prevSeq);
          p.setBytes(4, data);
          p.setLong(5, System.currentTimeMillis());
          p.setString(6, sessionId);
          p.executeUpdate();
        }
        // Keep one snapshot interval of changes for history and resume; drop what is older.
        try (PreparedStatement p =
            c.prepareStatement("DELETE FROM chorus_changes WHERE session_id = ? AND seq <= ?")) {
          p.setString(1, sessionId);
          p.setLong(2, prevSeq);
          p.executeUpdate();
        }
        try (PreparedStatement p =
            c.prepareStatement("DELETE FROM chorus_batches WHERE session_id = ? AND seq < ?")) {
          p.setString(1, sessionId);
          p.setLong(2, keepBatchesFromSeq);
          p.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
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
