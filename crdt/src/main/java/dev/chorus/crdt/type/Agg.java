package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the ops made directly on one object (or list element) add up to: the newest op per replica
 * ({@code touch}), everything their writers had seen ({@code ack}), and the latest op per actor.
 *
 * <p>A delete that does not cover the touch of an item's whole subtree was made without seeing some
 * edit, so the item survives (edit wins); an ack that includes a delete means someone kept editing
 * after seeing it, which settles the delete-vs-edit conflict.
 */
public final class Agg {
  final TouchVec touch = new TouchVec();
  final Vec ack = new Vec();
  final Map<String, Touch> byActor = new TreeMap<>();

  /** Records op {@code id} of the change starting at {@code changeStart}, seen {@code deps}. */
  void record(
      OpId id,
      long changeStart,
      VersionVector deps,
      Author author,
      long ts,
      ReplicaTable t,
      UndoLog undo) {
    if (undo != null) {
      // What this record changes, not copies of the whole vectors: one per op of every edit.
      Runnable touchBack = touch.undoRecord(t.index(id.replica()));
      Runnable ackBack = ack.undoMerge();
      Touch oldActor = byActor.get(author.actorId());
      undo.push(
          () -> {
            touchBack.run();
            ackBack.run();
            if (oldActor == null) {
              byActor.remove(author.actorId());
            } else {
              byActor.put(author.actorId(), oldActor);
            }
          });
    }
    touch.record(id, changeStart, t);
    ack.merge(deps, t);
    Touch prev = byActor.get(author.actorId());
    if (prev == null || prev.op().compareTo(id) < 0) {
      byActor.put(author.actorId(), new Touch(id, author, ts));
    }
  }

  /** Adds everything {@code o} counts into this aggregate. */
  void mergeFrom(Agg o) {
    touch.merge(o.touch);
    ack.merge(o.ack);
    o.byActor.forEach(
        (actor, tch) -> {
          Touch prev = byActor.get(actor);
          if (prev == null || prev.op().compareTo(tch.op()) < 0) {
            byActor.put(actor, tch);
          }
        });
  }
}
