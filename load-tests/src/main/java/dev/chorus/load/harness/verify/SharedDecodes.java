package dev.chorus.load.harness.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;

/**
 * The changes decoded lately on this thread, by the identity of the JSON they were decoded from. A
 * chorus-client parses a broadcast frame once per event loop and hands the same tree to every
 * client on it, so the replicas of the readers on one loop get the same change nodes: they share
 * one decode and one {@link Change} (immutable, so a {@link dev.chorus.crdt.Doc} may keep it, or
 * its op list, in its history) instead of each decoding — and keeping — a copy. With 50 readers in
 * one harness JVM the copies were most of its allocation and of what its collector had to copy.
 *
 * <p>A small ring looked up by {@code ==}: nothing is hashed, and a node that is not found (another
 * thread's, or evicted) is simply decoded again, so the ring changes what is allocated, never what
 * a replica applies.
 */
final class SharedDecodes {
  private static final int SIZE = 64;
  private static final ThreadLocal<SharedDecodes> ON_THIS_THREAD =
      ThreadLocal.withInitial(SharedDecodes::new);

  private final JsonNode[] nodes = new JsonNode[SIZE];
  private final Change[] changes = new Change[SIZE];
  private int next;

  private SharedDecodes() {}

  /** The change of codec JSON {@code node}; throws what {@link ChangeCodec#fromJson} throws. */
  static Change decode(JsonNode node) {
    return ON_THIS_THREAD.get().lookUp(node);
  }

  private Change lookUp(JsonNode node) {
    // newest first: the readers of one loop get a frame one after another
    int i = next;
    for (int k = 0; k < SIZE; k++) {
      i = (i == 0 ? SIZE : i) - 1; // without a division per step
      if (nodes[i] == node) {
        return changes[i];
      }
    }
    Change c = ChangeCodec.fromJson(node);
    nodes[next] = node;
    changes[next] = c;
    next = (next + 1) % SIZE;
    return c;
  }
}
