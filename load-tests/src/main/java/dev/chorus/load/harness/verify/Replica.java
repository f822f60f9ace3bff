package dev.chorus.load.harness.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
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
  private long refusals;
  private final Doc doc;
  // a reader of one writer's stream: compact every this many applied changes (0: never)
  private int compactEvery;
  private int sinceCompaction;
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

  /**
   * The writer's changes are each based on what it had seen, which only grows: no later change can
   * be based below the last one's base, so that is where the replica may forget up to.
   */
  private void compactTo(VersionVector base) {
    if (doc.pending().isEmpty() && base.dominates(doc.horizon())) {
      doc.compact(base);
    }
  }

  /** A change the server sent did not apply here: the verification fails, naming it. */
  private void refused(String why) {
    refusals++;
    gap(why);
  }

  /** How many delivered (or own) changes did not apply: each is a failure, not a gap. */
  public long refusals() {
    return refusals;
  }

  /** A resume fell back to a full {@code doc}: changes were skipped, the replica is partial. */
  public void gap(String why) {
    complete = false;
    if (incompleteWhy == null) {
      incompleteWhy = why;
    }
  }

  /**
   * Compacts the replica every {@code changes} applied changes: the history and the replaced values
   * it holds are dropped, so a long stream's replica stays the size of the document instead of its
   * whole history (fifty readers of server-bench's fanout kept ≈1.4 KB per delivered change — the
   * replaced cards' fields — ≈1 GB of old generation a run). It is compared by what compaction
   * keeps (state hash, version, pending). The floor is the last applied change's {@code basedOn},
   * not the replica's version: a writer with writes in flight bases each on what it had seen when
   * it sent it.
   *
   * <p>Sound only where no later change is based below an earlier one's base: a reader of a stream
   * one writer makes alone ({@code scenario.Stream}). With concurrent writers a change based on an
   * older version can still arrive, and the compacted replica would refuse it (a refusal).
   */
  public void compactEvery(int changes) {
    compactEvery = changes;
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
          Change change = SharedDecodes.decode(c);
          doc.replay(change);
          if (compactEvery > 0 && ++sinceCompaction >= compactEvery) {
            sinceCompaction = 0;
            compactTo(change.basedOn());
          }
        } catch (RuntimeException e) {
          refused("change " + k + " did not apply: " + e.getMessage());
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
        refused("own change " + key(c) + " did not apply: " + e.getMessage());
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
    return new Key(c.replica(), c.startCounter()).toString();
  }
}
