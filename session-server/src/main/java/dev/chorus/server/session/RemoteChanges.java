package dev.chorus.server.session;

import dev.chorus.crdt.ApplyResult;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.replication.OpLogEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Changes other replicas made (from a topic message or the store), in any order and with
 * duplicates: applied to the document (a change whose dependencies have not arrived waits in the
 * document), their batches remembered for idempotent re-sends on this node, and published to this
 * node's participants. They are in the shared store already (their origin published them after its
 * commit), so nothing is written. On the session's context.
 */
final class RemoteChanges {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteChanges.class);

  private final String sessionId;
  private final Doc doc;
  private final ChangeHistory history;
  private final Idempotency idempotency;
  private final WriteCheck check;
  private final Publisher publisher;
  private final LongUnaryOperator seenSeq;
  private final Runnable gapSeen;
  // entries kept until their change is applied (now, or once its dependencies arrive)
  private final Map<String, OpLogEntry> waiting = new HashMap<>();

  RemoteChanges(
      String sessionId,
      Doc doc,
      ChangeHistory history,
      Idempotency idempotency,
      WriteCheck check,
      Publisher publisher,
      LongUnaryOperator seenSeq,
      Runnable gapSeen) {
    this.sessionId = sessionId;
    this.doc = doc;
    this.history = history;
    this.idempotency = idempotency;
    this.check = check;
    this.publisher = publisher;
    this.seenSeq = seenSeq;
    this.gapSeen = gapSeen;
  }

  /**
   * Applies the entries and tells this node's participants: {@code change} frames (with the version
   * right after each change), then conflict events. Returns how many changes were applied (not
   * counting duplicates and changes still waiting for dependencies).
   */
  int apply(List<OpLogEntry> entries) {
    if (entries.isEmpty()) {
      return 0;
    }
    VersionVector before = doc.version();
    List<Change> applied = new ArrayList<>();
    List<ConflictEvent> events = new ArrayList<>();
    for (OpLogEntry e : entries) {
      seenSeq.applyAsLong(e.seq());
      Change c;
      try {
        c = ChangeCodec.fromJson(e.changeJson());
      } catch (RuntimeException ex) {
        LOG.warn(
            "session {}: unreadable change from {} dropped: {}",
            sessionId,
            e.replica(),
            ex.toString());
        continue;
      }
      remember(e);
      if (doc.isApplied(c)) {
        continue;
      }
      ApplyResult r;
      try {
        r = doc.apply(c);
      } catch (DocException ex) {
        LOG.error("session {}: change {} refused: {}", sessionId, c.id(), ex.getMessage());
        continue;
      }
      waiting.put(ChangeHistory.key(c.replica(), c.startCounter()), e);
      applied.addAll(r.applied());
      events.addAll(r.events());
      check.grew(e.changeJson().length());
    }
    if (!applied.isEmpty()) {
      publisher.remoteApplied(
          before,
          applied,
          c -> waiting.remove(ChangeHistory.key(c.replica(), c.startCounter())),
          history::batchOf,
          events,
          doc.version());
    }
    if (waiting.size() > doc.pending().size()) {
      // entries of changes that turned out invalid or duplicate
      Set<String> keep = new HashSet<>();
      for (Change c : doc.pending()) {
        keep.add(ChangeHistory.key(c.replica(), c.startCounter()));
      }
      waiting.keySet().retainAll(keep);
    }
    if (!doc.pending().isEmpty()) {
      gapSeen.run();
    }
    return applied.size();
  }

  /** The entry's batch, so a re-send of it to this node is answered, not applied again. */
  private void remember(OpLogEntry e) {
    if (e.batchId() == null) {
      return;
    }
    history.batchOfIfAbsent(e.replica(), e.startCounter(), e.batchId());
    if (idempotency.get(e.batchId()) == null) {
      idempotency.remember(e.batchId(), e.contentHash(), e.version(), e.resultsJson());
    }
  }
}
