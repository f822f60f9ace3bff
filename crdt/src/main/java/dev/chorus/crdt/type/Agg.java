package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;

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
  final ActorTouches byActor = new ActorTouches();
  // set when Liveness caches this aggregate of a subtree (never changed after): 0 = not cached
  long stamp;

  /** Records op {@code id} of the change starting at {@code changeStart}, seen {@code deps}. */
  void record(
      OpId id,
      long changeStart,
      VersionVector deps,
      Author author,
      long ts,
      ReplicaTable t,
      UndoLog undo) {
    Touch prev = byActor.get(author.actorId());
    if (undo != null) {
      // What this record changes, not copies of the whole aggregate: one per op of every edit.
      undo.push(new RecordUndo(this, t.index(id.replica()), author.actorId(), prev));
    }
    touch.record(id, changeStart, t);
    ack.merge(deps, t);
    if (prev == null || prev.op().compareTo(id) < 0) {
      byActor.put(new Touch(id, author, ts));
    }
  }

  /** Adds everything {@code o} counts into this aggregate. */
  void mergeFrom(Agg o) {
    touch.merge(o.touch);
    ack.merge(o.ack);
    for (Touch tch : o.byActor.all()) {
      Touch prev = byActor.get(tch.author().actorId());
      if (prev == null || prev.op().compareTo(tch.op()) < 0) {
        byActor.put(tch);
      }
    }
  }

  /** Puts back what one {@link #record} changed: one replica's touch, the ack, one actor. */
  private static final class RecordUndo implements Runnable {
    private final Agg agg;
    private final int replica;
    private final long last;
    private final long lastStart;
    private final long prevMax;
    private final long[] ack;
    private final String actor;
    private final Touch byActor;

    RecordUndo(Agg agg, int replica, String actor, Touch byActor) {
      this.agg = agg;
      this.replica = replica;
      this.last = agg.touch.last(replica);
      this.lastStart = agg.touch.lastStart(replica);
      this.prevMax = agg.touch.prevMax(replica);
      this.ack = agg.ack.saved();
      this.actor = actor;
      this.byActor = byActor;
    }

    @Override
    public void run() {
      agg.touch.restore(replica, last, lastStart, prevMax);
      agg.ack.restore(ack);
      if (byActor == null) {
        agg.byActor.remove(actor);
      } else {
        agg.byActor.put(byActor);
      }
    }
  }
}
