package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.op.Content;
import java.util.ArrayList;
import java.util.List;

/**
 * One value of a multi-value register: a scalar, a container ({@link #child}), or, in an element's
 * position register, a position in some list. It stays in the register, retired or not, until
 * compaction proves nobody can need it again.
 */
public final class Entry {
  final OpId id;
  final Author author;
  final long timestamp;
  final Content content;
  Obj child;
  final Position position;
  List<Retirement> retiredBy;
  // Liveness's memo: this retirement covered the subtree aggregate with this stamp, so the value
  // is dead while that aggregate stays cached (an op inside the subtree drops it)
  Retirement deadBy;
  long deadStamp;

  Entry(OpId id, Author author, long timestamp, Content content, Position position) {
    this.id = id;
    this.author = author;
    this.timestamp = timestamp;
    this.content = content;
    this.position = position;
  }

  void retire(Retirement r, UndoLog undo) {
    List<Retirement> before = retiredBy;
    if (before == null) {
      // most values are retired once (every move retires the position it leaves): no array
      retiredBy = List.of(r);
    } else {
      if (!(before instanceof ArrayList)) {
        retiredBy = new ArrayList<>(before);
      }
      retiredBy.add(r);
    }
    if (undo != null) {
      undo.push(
          () -> {
            if (retiredBy == before) {
              before.remove(before.size() - 1);
            } else {
              retiredBy = before;
            }
          });
    }
  }

  public OpId id() {
    return id;
  }
}
