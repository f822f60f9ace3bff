package dev.chorus.crdt.codec;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The history chunks one replica's earlier binary snapshots were encoded with, kept to be copied
 * into its next snapshot instead of encoding (JSON, gzip) the whole history again every time: with
 * it, a replica snapshotted every {@code k} changes encodes each change about once, not once per
 * snapshot.
 *
 * <p>A chunk is reused while the decoded history still holds the same {@link Change} objects at the
 * same positions — its first and last change, compared by id (a replica's history holds a change
 * once, and a change is immutable), at the same offset and the same count apart (the history only
 * grows at its end, loses changes to {@code Doc.compact} and gets its undecoded older part put in
 * front of it, and each of these moves or drops them). Chunks a compaction dropped whole are
 * skipped. From the first chunk that does not match, the cache is dropped and the rest is encoded
 * again. A small last chunk (under {@link #MERGE_BELOW} compressed bytes) is encoded again with the
 * changes after it, so a replica snapshotted often does not pile up tiny, badly compressed chunks.
 *
 * <p>One per replica (the server keeps one per session). Thread-safe: {@link
 * SnapshotCodec#capture(Doc, HistoryChunks)} only keeps a reference, and {@link
 * SnapshotCodec#encode(SnapshotCodec.Capture)} uses and updates it under this object's lock, on any
 * thread. Captures may be encoded in any order; each gets the chunks that match its own history.
 */
public final class HistoryChunks {
  /** A last chunk smaller than this (compressed) is merged with the changes after it. */
  static final int MERGE_BELOW = 16 * 1024;

  /**
   * A chunk this cache made: the ids of its first and last change (the history makes its changes
   * anew when read, so identity says nothing), and its bytes.
   */
  private record Cached(OpId first, OpId last, BinarySnapshot.Chunk chunk) {}

  private final int mergeBelow;

  /** The chunks of the last encode, oldest first, covering a prefix of its decoded history. */
  private List<Cached> cached = List.of();

  /** Changes encoded into new chunks by this cache (tests see reuse by it). */
  private long encodedChanges;

  /**
   * The JSON of changes not yet in a chunk, by change id, from whoever encoded them anyway (the
   * server encodes every change it commits for its store): a new chunk copies it instead of
   * encoding the change again. Emptied by every {@link #chunks}: what a capture did not hold yet is
   * encoded again by the next one (a group or two of changes). Holds at most {@link #KNOWN_CHARS}
   * characters (a replica snapshotted seldom encodes the rest itself).
   */
  private final Map<OpId, String> known = new HashMap<>();

  private long knownChars;

  /** What {@link #known} may hold: a few MB, about 20,000 ops of a board. */
  static final long KNOWN_CHARS = 4 << 20;

  public HistoryChunks() {
    this(MERGE_BELOW);
  }

  /** With another merge threshold (0: never merge), for tests. */
  HistoryChunks(int mergeBelow) {
    this.mergeBelow = mergeBelow;
  }

  /** {@code json} is {@code ChangeCodec.toJsonString(change)}, for the next new chunk to copy. */
  public synchronized void encoded(Change change, String json) {
    if (knownChars + json.length() <= KNOWN_CHARS && known.put(change.id(), json) == null) {
      knownChars += json.length();
    }
  }

  /**
   * The chunks of {@code history} (a replica's decoded history, oldest first): the cached ones that
   * still match, then one new chunk of the rest.
   */
  synchronized List<BinarySnapshot.Chunk> chunks(List<Change> history) {
    List<Cached> kept = new ArrayList<>(cached.size() + 1);
    int at = 0;
    for (Cached c : cached.subList(firstKept(history), cached.size())) {
      int n = c.chunk().count();
      if (at + n > history.size()
          || !history.get(at).id().equals(c.first())
          || !history.get(at + n - 1).id().equals(c.last())) {
        break;
      }
      kept.add(c);
      at += n;
    }
    if (!kept.isEmpty() && at < history.size()) {
      Cached last = kept.get(kept.size() - 1);
      if (last.chunk().gz().length < mergeBelow) {
        kept.remove(kept.size() - 1);
        at -= last.chunk().count();
      }
    }
    if (at < history.size()) {
      List<Change> rest = history.subList(at, history.size());
      kept.add(
          new Cached(
              rest.get(0).id(),
              rest.get(rest.size() - 1).id(),
              BinarySnapshot.chunk(rest, c -> known.get(c.id()))));
      encodedChanges += rest.size();
    }
    known.clear();
    knownChars = 0;
    cached = List.copyOf(kept);
    List<BinarySnapshot.Chunk> out = new ArrayList<>(kept.size());
    kept.forEach(c -> out.add(c.chunk()));
    return out;
  }

  /**
   * The first cached chunk that can still hold the history's first change: the one that begins with
   * it, when a compaction dropped exactly the chunks before it (the history keeps its order, so
   * nothing of those is left); otherwise the first.
   */
  private int firstKept(List<Change> history) {
    if (!history.isEmpty()) {
      OpId first = history.get(0).id();
      for (int j = 0; j < cached.size(); j++) {
        if (cached.get(j).first().equals(first)) {
          return j;
        }
      }
    }
    return 0;
  }

  /** How many changes were encoded into new chunks so far (the rest were copied). */
  synchronized long encodedChanges() {
    return encodedChanges;
  }
}
