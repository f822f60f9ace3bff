package dev.chorus.server.store.jdbc;

import java.util.List;
import java.util.Map;

/**
 * The SQL that differs between the databases the JDBC store runs on: SQLite (embedded file, the
 * single-node default), H2 (embedded file, the default of earlier versions, or shared by the nodes
 * of a cluster on one machine) and PostgreSQL (shared by a cluster). Everything else is the same
 * SQL.
 */
enum Dialect {
  // H2's CLOB keeps every value over a few hundred characters in a separate LOB store (a second
  // write per row: most of a commit's time); CHARACTER VARYING without a length holds up to 1e9
  // characters inline. Tables made with CLOB keep working (same JDBC calls).
  H2("CHARACTER VARYING", "BLOB"),
  POSTGRES("TEXT", "BYTEA"),
  SQLITE("TEXT", "BLOB");

  private final String text;
  private final String blob;

  Dialect(String text, String blob) {
    this.text = text;
    this.blob = blob;
  }

  static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRES;
    }
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    throw new IllegalArgumentException(
        "unsupported store URL (jdbc:sqlite:..., jdbc:h2:... or jdbc:postgresql:...): " + jdbcUrl);
  }

  /** Type of unbounded text columns. */
  String text() {
    return text;
  }

  /** Type of binary columns. */
  String blob() {
    return blob;
  }

  /**
   * A statement that makes concurrent schema creation safe, run first in the schema transaction, or
   * null. PostgreSQL's {@code CREATE TABLE IF NOT EXISTS} is not safe against another node creating
   * the same table at the same moment (a unique violation in its catalog): nodes of a cluster
   * starting together take a transaction-scoped advisory lock first.
   */
  String schemaLock() {
    return this == POSTGRES ? "SELECT pg_advisory_xact_lock(4242424242)" : null;
  }

  /**
   * Whether the schema may come from an earlier version and need {@code ADD COLUMN IF NOT EXISTS}
   * (SQLite has no such clause; no SQLite store predates the columns).
   */
  boolean migrates() {
    return this != SQLITE;
  }

  /**
   * Whether a connection can be marked read-only for a read transaction (sqlite-jdbc refuses to
   * change the flag once connected).
   */
  boolean readOnlyHint() {
    return this != SQLITE;
  }

  /**
   * Whether a group commit goes as one autocommitted statement ({@link PostgresAppend}: one round
   * trip) rather than a transaction of one insert per table.
   */
  boolean appendsInOneStatement() {
    return this == POSTGRES;
  }

  /**
   * Connections in the pool: SQLite has one writer at a time, and a read transaction that turns
   * into a write one fails (SQLITE_BUSY) if another connection wrote in between, so its store uses
   * one connection and the store threads take turns.
   */
  int poolSize(int wanted) {
    return this == SQLITE ? 1 : Math.max(2, wanted);
  }

  /**
   * Driver settings of every connection. PostgreSQL: none (a group commit is one statement of
   * arrays, {@link PostgresAppend}). SQLite writes a commit to its write-ahead log before it
   * returns (synchronous=NORMAL: no fsync, so a crash of the process loses nothing, a power loss
   * the last moments — the same promise as H2 with WRITE_DELAY=0), and waits for a lock another
   * process holds (a backup tool) instead of failing at once.
   */
  Map<String, String> connectionProperties() {
    if (this != SQLITE) {
      return Map.of();
    }
    return Map.of(
        "journal_mode", "WAL",
        "synchronous", "NORMAL",
        "busy_timeout", "30000");
  }

  /**
   * An insert that does nothing if a row with the same key exists. Log rows are immutable and keyed
   * by their unique id, so "already there" means "the same row is there": several nodes (or a
   * retry) may write the same change to a shared store.
   */
  String insertIfAbsent(String table, List<String> columns, List<String> key) {
    String cols = String.join(", ", columns);
    String params = String.join(", ", columns.stream().map(c -> "?").toList());
    if (this != H2) {
      return "INSERT INTO "
          + table
          + " ("
          + cols
          + ") VALUES ("
          + params
          + ") ON CONFLICT ("
          + String.join(", ", key)
          + ") DO NOTHING";
    }
    // H2: MERGE ... KEY replaces a row with the same key; the replacement is identical.
    return "MERGE INTO "
        + table
        + " ("
        + cols
        + ") KEY ("
        + String.join(", ", key)
        + ") VALUES ("
        + params
        + ")";
  }
}
