package dev.chorus.server.store;

import dev.chorus.server.store.file.FileOpLogStore;
import dev.chorus.server.store.jdbc.JdbcOpLogStore;
import java.nio.file.Path;

/** Opens the store a URL names: {@code log:<dir>} (files, one node) or a JDBC URL. */
public final class OpLogStores {
  /** The scheme of the file store's URL. */
  public static final String LOG_SCHEME = "log:";

  private OpLogStores() {}

  /** {@code poolSize} bounds JDBC connections; the file store needs none. */
  public static OpLogStore open(String url, int poolSize) {
    if (url.startsWith(LOG_SCHEME)) {
      return new FileOpLogStore(Path.of(url.substring(LOG_SCHEME.length())));
    }
    return new JdbcOpLogStore(url, poolSize);
  }
}
