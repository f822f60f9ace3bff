package dev.chorus.load.harness.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.op.Change;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one client received, as CRDT changes: how often each change ({@code start@replica}) was
 * delivered to it (welcome or {@code change} frame), and optionally a full CRDT replica ({@link
 * Doc}) built from those changes, to compare its {@link Doc#stateHash()} with the server's at the
 * end. A client never receives its own batches as changes; the verifier adds them from the history.
 *
 * <p>The replica applies changes without working out conflict events ({@link Doc#replay}): it is
 * compared by state, version and what is pending, which are exactly those {@link Doc#apply} gives,
 * and nothing listens to its events (a client learns of conflicts from the server's {@code
 * conflict.*} frames, which the verifier checks apart). Readers on one event loop share each
 * change's decode ({@link SharedDecodes}).
 *
 * <p>Not thread-safe: used on the client's context, read by the verifier after the client stopped.
 */
public final class Replica {
  /** A change's identity, without making a string per delivery. */
  private record Key(String replica, long start) {
    @Override
    public String toString() {
      return start + "@" + replica;
    }
  }

  private final Map<Key, Integer> deliveries = new HashMap<>();
  private final Set<Key> fromWelcome = new HashSet<>();
  private long repeatedAfterWelcome;
  private final Doc doc;
  private boolean complete;
  private String incompleteWhy;

  /**
   * @param keepDoc whether to run a CRDT replica (costs CPU in the harness) or only count
   *     deliveries
   */
  public Replica(boolean keepDoc) {
    this.doc = keepDoc ? new Doc("harness") : null;
  }

  /**
   * Marks the replica as starting from the empty document (the client joined with {@code since: ""}
   * and got every change), so it can be compared in full.
   */
  public void startedFromEmpty() {
    if (incompleteWhy == null) {
      complete = true;
    }
  }

  /** A resume fell back to a full {@code doc}: changes were skipped, the replica is partial. */
  public void gap(String why) {
    complete = false;
    if (incompleteWhy == null) {
      incompleteWhy = why;
    }
  }

  public boolean complete() {
    return complete && doc != null;
  }

  public String incompleteWhy() {
    return doc == null ? "no replica kept" : incompleteWhy;
  }

  /**
   * Counts and applies the changes of a {@code changes} array (codec JSON, oldest first) that came
   * in a {@code welcome} ({@code welcome} true) or a {@code change} frame. A {@code change} frame
   * repeating a change the last welcome already contained is also counted as {@link
   * #repeatedAfterWelcome()}: the protocol delivers every change once, in the welcome or as a
   * {@code change} frame (docs/protocol.md), so it is a repeat like any other and fails the
   * verification (the server used to send the changes a welcome held while their commit ran).
   */
  public void deliver(JsonNode changes, boolean welcome) {
    if (changes == null) {
      return;
    }
    if (welcome) {
      fromWelcome.clear();
    }
    for (JsonNode c : changes) {
      Key k = new Key(c.get("replica").asText(), c.get("start").asLong());
      if (welcome) {
        fromWelcome.add(k);
      } else if (fromWelcome.remove(k)) {
        repeatedAfterWelcome++;
        deliveries.merge(k, 1, Integer::sum);
        continue;
      }
      deliveries.merge(k, 1, Integer::sum);
      if (doc != null && incompleteWhy == null) {
        try {
          doc.replay(SharedDecodes.decode(c));
        } catch (RuntimeException e) {
          gap("change " + k + " did not apply: " + e.getMessage());
        }
      }
    }
  }

  /** Applies a change the client did not receive (its own, from the history); not counted. */
  public void applyOwn(Change c) {
    if (doc != null && incompleteWhy == null) {
      try {
        doc.replay(c);
      } catch (RuntimeException e) {
        gap("own change " + key(c) + " did not apply: " + e.getMessage());
      }
    }
  }

  /** Change frames that repeated a change of the last welcome (see {@link #deliver}). */
  public long repeatedAfterWelcome() {
    return repeatedAfterWelcome;
  }

  /** How often each change ({@code start@replica}) was delivered; a copy, for the verifier. */
  public Map<String, Integer> deliveries() {
    Map<String, Integer> out = new HashMap<>(deliveries.size() * 2);
    deliveries.forEach((k, n) -> out.put(k.toString(), n));
    return out;
  }

  public Doc doc() {
    return doc;
  }

  public static String key(Change c) {
    return c.startCounter() + "@" + c.replica();
  }
}
