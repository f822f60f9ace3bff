package dev.chorus.server.replication.hazelcast;

import com.hazelcast.query.Predicate;
import java.util.HashMap;
import java.util.Map;

/**
 * Catch-up filter, evaluated by the member that owns the session's partition: op-log entries (keys
 * {@code sessionId/replica/start}) whose change a version vector does not include, i.e. {@code
 * start > have[replica]}. Only the missing entries travel.
 */
final class MissingEntries implements Predicate<String, String> {
  private static final long serialVersionUID = 1L;

  private final String sessionPrefix;
  private final HashMap<String, Long> have;

  MissingEntries(String sessionId, Map<String, Long> have) {
    this.sessionPrefix = sessionId + "/";
    this.have = new HashMap<>(have);
  }

  @Override
  public boolean apply(Map.Entry<String, String> e) {
    String k = e.getKey();
    if (!k.startsWith(sessionPrefix)) {
      return false; // another session sharing the partition
    }
    int slash = k.lastIndexOf('/');
    if (slash <= sessionPrefix.length()) {
      return false;
    }
    String replica = k.substring(sessionPrefix.length(), slash);
    long start;
    try {
      start = Long.parseLong(k.substring(slash + 1));
    } catch (NumberFormatException ex) {
      return false;
    }
    return start > have.getOrDefault(replica, 0L);
  }
}
