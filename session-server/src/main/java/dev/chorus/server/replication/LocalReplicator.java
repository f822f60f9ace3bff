package dev.chorus.server.replication;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Single node: nobody else to send to; nothing ever arrives; the store alone holds the op log.
 * Health and member count come from the embedded Hazelcast member when one runs.
 */
public final class LocalReplicator implements Replicator {
  private final Supplier<String> health;
  private final IntSupplier members;

  public LocalReplicator(Supplier<String> health, IntSupplier members) {
    this.health = health;
    this.members = members;
  }

  /** No Hazelcast at all. */
  public static LocalReplicator disabled() {
    return new LocalReplicator(() -> "disabled", () -> 1);
  }

  @Override
  public void publish(String sessionId, List<OpLogEntry> entries) {}

  @Override
  public void publishPresence(String sessionId, ObjectNode participant, boolean left) {}

  @Override
  public AutoCloseable subscribe(String sessionId, SessionListener listener) {
    return () -> {};
  }

  @Override
  public void onTopology(TopologyListener listener) {}

  @Override
  public boolean leads(String sessionId) {
    return true;
  }

  @Override
  public boolean clustered() {
    return false;
  }

  @Override
  public String health() {
    return health.get();
  }

  @Override
  public int members() {
    return members.getAsInt();
  }
}
