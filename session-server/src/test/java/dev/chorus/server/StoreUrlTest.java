package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which store a node opens: --store-url if given, else SQLite in the data dir — unless an earlier
 * version left its H2 file there, whose data must stay reachable.
 */
class StoreUrlTest {
  @TempDir Path dir;

  private ServerConfig config(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--data-dir";
    all[1] = dir.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return ServerConfig.parse(all, Map.of());
  }

  @Test
  void aFreshDataDir_getsSqlite() {
    assertEquals(
        "jdbc:sqlite:" + dir.toAbsolutePath().normalize().resolve("chorus.db"),
        config().effectiveStoreUrl());
  }

  @Test
  void aDataDirWithAnH2File_keepsIt() throws Exception {
    Files.write(dir.resolve("chorus.mv.db"), new byte[] {0});
    String url = config().effectiveStoreUrl();
    assertEquals(
        "jdbc:h2:file:" + dir.toAbsolutePath().normalize().resolve("chorus"),
        url.substring(0, url.indexOf(';')));
  }

  @Test
  void anExplicitUrl_wins() {
    assertEquals(
        "jdbc:postgresql://127.0.0.1/x",
        config("--store-url", "jdbc:postgresql://127.0.0.1/x").effectiveStoreUrl());
  }
}
