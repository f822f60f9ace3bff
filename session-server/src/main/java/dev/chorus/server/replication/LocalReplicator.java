package dev.chorus.server.replication;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Single node: nobody else to send to; nothing ever arrives. Health and member count come from the
 * embedded Hazelcast member when one runs (it does not replicate yet).
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
  public Future<Void> publish(String sessionId, List<String> changeJsons) {
    return Future.succeededFuture();
  }

  @Override
  public AutoCloseable subscribe(String sessionId, Consumer<List<String>> onChanges) {
    return () -> {};
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
