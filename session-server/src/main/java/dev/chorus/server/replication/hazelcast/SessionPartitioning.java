package dev.chorus.server.replication.hazelcast;

import com.hazelcast.partition.PartitioningStrategy;

/**
 * Puts every op-log entry of a session in the partition of the session id: a key {@code
 * sessionId/replica/start} is partitioned by {@code sessionId}. Catch-up then queries one partition
 * instead of the whole cluster, and the entries of a group commit are one partition operation.
 */
final class SessionPartitioning implements PartitioningStrategy<Object> {
  private static final long serialVersionUID = 1L;

  @Override
  public Object getPartitionKey(Object key) {
    if (key instanceof String s) {
      int slash = s.indexOf('/');
      return slash < 0 ? s : s.substring(0, slash);
    }
    return null;
  }
}
