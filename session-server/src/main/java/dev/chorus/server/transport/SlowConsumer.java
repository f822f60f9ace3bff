package dev.chorus.server.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.session.RateLimiter;

/**
 * The last frame a reader gets when it does not read fast enough (websocket or event stream): a
 * fatal {@code slow_consumer} with a jittered {@code retryAfterMs}, so a fan-out that cut many
 * readers at once is not met by a reconnect storm. The reader resumes with {@code since}.
 */
public final class SlowConsumer {
  private static final ChorusException REFUSAL =
      new ChorusException(
          ErrorCode.SLOW_CONSUMER, "you do not read fast enough; reconnect with since");

  private SlowConsumer() {}

  public static ObjectNode frame() {
    ObjectNode f = REFUSAL.toFrame();
    f.put("fatal", true);
    f.put("retryAfterMs", RateLimiter.jittered(500));
    return f;
  }
}
