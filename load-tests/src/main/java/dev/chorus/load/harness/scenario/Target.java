package dev.chorus.load.harness.scenario;

import dev.chorus.load.harness.auth.TokenSource;
import dev.chorus.load.harness.node.ServerNode;
import java.net.URI;
import java.time.Duration;

/**
 * The server a scenario runs against: a node the harness started for it (owned: can be crashed and
 * restarted), or an external one given with {@code --url}. Carries how to get tokens.
 */
public final class Target {
  private final URI base;
  private final TokenSource tokens;
  private final ServerNode node;

  public Target(URI base, TokenSource tokens, ServerNode node) {
    this.base = base;
    this.tokens = tokens;
    this.node = node;
  }

  public URI base() {
    return base;
  }

  public String host() {
    return base.getHost();
  }

  public int port() {
    return base.getPort();
  }

  public TokenSource tokens() {
    return tokens;
  }

  /** The node the harness owns, or null for {@code --url} targets. */
  public ServerNode node() {
    return node;
  }

  /** SIGKILLs the owned node and starts it again on the same port and data (crash fault). */
  public void crashAndRestart(Duration downFor) throws Exception {
    if (node == null) {
      throw new IllegalStateException("only a node the harness started can be crashed");
    }
    node.kill();
    Thread.sleep(downFor.toMillis());
    node.start(Duration.ofSeconds(60));
  }
}
