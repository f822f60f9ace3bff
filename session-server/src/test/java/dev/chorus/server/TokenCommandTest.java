package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code token} subcommand signs with the node's key, and never with a key it just made. */
class TokenCommandTest {

  @Test
  void aDataDirWithoutTheNodesKeyIsRefusedNotGivenANewKey(@TempDir Path dir) throws Exception {
    int code =
        Main.token(
            new String[] {"--sub", "alice", "--sessions", "demo", "--data-dir", dir.toString()});
    assertEquals(2, code);
    assertFalse(Files.exists(dir.resolve("jwt-secret")), "no key was made");
  }

  @Test
  void theNodesDataDirSignsTheToken(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("jwt-secret"), "token-command-test-secret-0123456789-abcdef\n");
    int code =
        Main.token(
            new String[] {"--sub", "alice", "--sessions", "demo", "--data-dir", dir.toString()});
    assertEquals(0, code);
  }
}
