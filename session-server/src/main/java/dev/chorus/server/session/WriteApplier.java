package dev.chorus.server.session;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.conflict.ConflictEvent;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.session.OpTranslation.ResolvedOp;
import java.util.ArrayList;
import java.util.List;

/**
 * The apply stage of a write: one {@link Doc#edit} running the translated ops at the writer's base,
 * all or nothing, with the conflict events the edit opened or resolved. On the session's context.
 */
final class WriteApplier {
  /**
   * What an edit did.
   *
   * @param change null if the ops changed nothing (e.g. a release of an unclaimed task)
   * @param ids per op, the id of the element an insert made (null for other ops)
   */
  record Applied(Change change, List<ConflictEvent> events, String[] ids) {}

  private final Doc doc;
  private final List<ConflictEvent> heard = new ArrayList<>();
  // events are taken only during this stage's own edits (not from loads or remote applies)
  private boolean listening;

  WriteApplier(Doc doc) {
    this.doc = doc;
    doc.addListener(
        (change, events) -> {
          if (listening) {
            heard.addAll(events);
          }
        });
  }

  Applied apply(Author author, VersionVector basedOn, List<ResolvedOp> ops, long now) {
    String[] ids = new String[ops.size()];
    heard.clear();
    listening = true;
    try {
      Change change =
          doc.edit(author, basedOn, now, e -> OpTranslation.translate(e, ops, ids, author, now));
      return new Applied(change, List.copyOf(heard), ids);
    } finally {
      listening = false;
      heard.clear();
    }
  }
}
