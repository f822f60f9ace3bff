package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.clock.VersionVector;

/**
 * A server frame already encoded as JSON text, so a broadcast encodes it once for all participants
 * instead of once per recipient.
 *
 * @param changeVersion for a {@code change} frame, the version right after its change (a
 *     participant whose welcome already held that change skips the frame); null for every other
 *     frame
 */
public record EncodedFrame(String text, VersionVector changeVersion) {
  /** Any frame but a change frame. */
  public static EncodedFrame of(ObjectNode frame) {
    return new EncodedFrame(frame.toString(), null);
  }

  /**
   * Whether a participant welcomed at {@code welcomed} (null: not yet) already has this change: a
   * welcome may hold changes applied but not yet durable when it was built, whose change frames
   * follow after the commit and would deliver them a second time.
   */
  public boolean coveredBy(VersionVector welcomed) {
    return changeVersion != null && welcomed != null && welcomed.dominates(changeVersion);
  }
}
