package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session's changes as clients read them (resume, {@code history since}): each change with its
 * author, the batch it came from and the version right after it. Remembers the batch id of the last
 * {@code window} changes (a change is keyed by its replica and first counter). On the session's
 * context.
 */
final class ChangeHistory {
  private final Doc doc;
  private final int window;
  private final Map<String, String> batchOfChange = new LinkedHashMap<>();

  ChangeHistory(Doc doc, int window) {
    this.doc = doc;
    this.window = window;
  }

  static String key(String replica, long startCounter) {
    return startCounter + "@" + replica;
  }

  /** Records the batch a change came from ({@code batchId} may be null: nothing is recorded). */
  void batchOf(String replica, long startCounter, String batchId) {
    if (batchId == null) {
      return;
    }
    batchOfChange.put(key(replica, startCounter), batchId);
    Iterator<String> it = batchOfChange.keySet().iterator();
    while (batchOfChange.size() > window && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** Like {@link #batchOf}, unless the change's batch is already known. */
  void batchOfIfAbsent(String replica, long startCounter, String batchId) {
    if (batchId != null && !batchOfChange.containsKey(key(replica, startCounter))) {
      batchOf(replica, startCounter, batchId);
    }
  }

  String batchOf(Change c) {
    return batchOfChange.get(key(c.replica(), c.startCounter()));
  }

  /**
   * Changes not included in {@code since}, oldest first, each as a change body ({@code author,
   * batchId, changes, version}); throws {@code stale_base} if they are no longer retained.
   */
  ArrayNode since(VersionVector since) {
    if (!doc.version().dominates(since)) {
      throw new ChorusException(
          ErrorCode.STALE_BASE, "version " + since + " includes changes this server does not have");
    }
    List<Change> changes;
    try {
      changes = doc.changesSince(since);
    } catch (DocException e) {
      throw new ChorusException(
          ErrorCode.STALE_BASE,
          "changes since " + since + " are no longer retained: re-read the document");
    }
    ArrayNode out = Values.NODES.arrayNode();
    VersionVector v = since;
    for (Change c : changes) {
      v = v.merge(c.deps()).with(c.replica(), c.endCounter());
      ObjectNode b = out.addObject();
      b.set("author", WireJson.actor(c.author()));
      String batchId = batchOf(c);
      if (batchId != null) {
        b.put("batchId", batchId);
      }
      b.putArray("changes").add(ChangeCodec.toJson(c));
      b.put("version", v.toString());
    }
    return out;
  }
}
