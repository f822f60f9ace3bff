package dev.chorus.crdt.type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Numbers the replicas one document replica has heard of, so per-replica counters can live in plain
 * arrays. The numbering is local (it differs between replicas) and never leaves the process.
 */
public final class ReplicaTable {
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> names = new ArrayList<>();

  // The replica asked last: an op asks for its replica's index several times, and ids share the
  // replica's string.
  private String lastName;
  private int lastIndex;

  public int index(String replica) {
    if (replica == lastName && replica != null) {
      return lastIndex;
    }
    Integer i = index.get(replica);
    if (i == null) {
      i = names.size();
      names.add(replica);
      index.put(replica, i);
    }
    lastName = replica;
    lastIndex = i;
    return i;
  }

  /** The index of {@code replica}, or -1 if it was never seen. */
  public int find(String replica) {
    return index.getOrDefault(replica, -1);
  }

  public String name(int i) {
    return names.get(i);
  }

  public int size() {
    return names.size();
  }
}
