package dev.chorus.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests (zonky's embedded binaries from Maven Central: nothing to
 * install, never a mock), listening on 127.0.0.1 only. One per test class; a fresh database per
 * {@link #newDatabase}.
 */
final class PgServer implements AutoCloseable {
  private static final AtomicInteger DBS = new AtomicInteger();
  private final EmbeddedPostgres pg;

  private PgServer(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  static PgServer start() throws Exception {
    Path base = Path.of("target", "pg");
    Files.createDirectories(base);
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("max_connections", "200")
            .setDataDirectory(Files.createTempDirectory(base, "data-"))
            .setCleanDataDirectory(true)
            .setPGStartupWait(Duration.ofSeconds(60))
            .start();
    return new PgServer(pg);
  }

  int port() {
    return pg.getPort();
  }

  /** Creates an empty database and returns its JDBC URL. */
  String newDatabase() throws Exception {
    String name = "chorus_" + DBS.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return url(name);
  }

  String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + database + "?user=postgres";
  }

  @Override
  public void close() throws java.io.IOException {
    pg.close();
  }
}
