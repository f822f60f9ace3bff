package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.type.StateImage.AggImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the ops made directly on one object (or list element) add up to: per replica the newest op
 * (the touch), everything their writers had seen (the ack), and the latest op per actor.
 *
 * <p>A delete that does not cover the touch of an item's whole subtree was made without seeing some
 * edit, so the item survives (edit wins); an ack that includes a delete means someone kept editing
 * after seeing it, which settles the delete-vs-edit conflict.
 *
 * <p>The touch: a thin client's view is a version vector, which is closed under "earlier ops of the
 * same replica"; but its own change is not in its view, and other clients of the same replica may
 * have made ops between its view and its change. So for each replica we keep the newest op ({@code
 * last}), the start of the change it belongs to ({@code lastStart}), and the newest op of any
 * earlier change ({@code prevMax}). A retirement made in change {@code s} has seen the subtree of
 * its own replica iff {@code prevMax <= deps} when {@code lastStart == s} (only its own change's
 * earlier ops are newer), else iff {@code last <= deps}.
 *
 * <p>Layout: every list element has one, and nearly all are written through one replica by one
 * actor, so touch and ack share one array (per replica index {@code i}: last, lastStart, prevMax,
 * ack at {@code 4i..4i+3}) and the latest op per actor is one {@link Touch} inline, a sorted map
 * only from the second actor on. As separate objects (a touch vector, an ack vector, an actor map
 * and their arrays) they kept 72 bytes more alive per list element.
 *
 * <p>Mutable, not thread-safe.
 */
public final class Agg {
  private static final int STRIDE = 4;
  private static final int LAST = 0;
  private static final int START = 1;
  private static final int PREV = 2;
  private static final int ACK = 3;
  private static final long[] NONE = new long[0];

  private long[] v = NONE;
  // the latest op of the only actor so far, or null once there are several (then in many)
  private Touch sole;
  private TreeMap<String, Touch> many;
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
    Touch prev = actor(author.actorId());
    if (undo != null) {
      // What this record changes (the counters, a few longs; one actor), one per op of every edit.
      undo.push(new RecordUndo(this, author.actorId(), prev));
    }
    recordTouch(t.index(id.replica()), id.counter(), changeStart);
    // Indexed, not forEach: the capturing lambda was made anew for every op of every edit.
    for (int i = 0; i < deps.size(); i++) {
      raiseAck(t.index(deps.replicaAt(i)), deps.counterAt(i));
    }
    if (prev == null || prev.op().compareTo(id) < 0) {
      putActor(new Touch(id, author, ts));
    }
  }

  /** Adds everything {@code o} counts into this aggregate. */
  void mergeFrom(Agg o) {
    for (int k = 0; k < o.v.length; k += STRIDE) {
      if (o.v[k + LAST] != 0) {
        mergeTouch(k / STRIDE, o.v[k + LAST], o.v[k + START], o.v[k + PREV]);
      }
      if (o.v[k + ACK] != 0) {
        raiseAck(k / STRIDE, o.v[k + ACK]);
      }
    }
    for (Touch tch : o.actors()) {
      Touch prev = actor(tch.author().actorId());
      if (prev == null || prev.op().compareTo(tch.op()) < 0) {
        putActor(tch);
      }
    }
  }

  /** Whether the writer of {@code r} had seen every op touched here. */
  boolean touchCoveredBy(Retirement r, ReplicaTable t) {
    for (int k = 0; k < v.length; k += STRIDE) {
      if (v[k + LAST] == 0) {
        continue;
      }
      String replica = t.name(k / STRIDE);
      long seen = r.deps().get(replica);
      if (replica.equals(r.by().replica()) && v[k + START] == r.changeStart()) {
        if (v[k + PREV] > seen || v[k + LAST] > r.by().counter()) {
          return false;
        }
      } else if (v[k + LAST] > seen) {
        return false;
      }
    }
    return true;
  }

  /** Whether some writer of an op here had seen {@code id}. */
  boolean acks(OpId id, ReplicaTable t) {
    int i = t.find(id.replica());
    return i >= 0 && STRIDE * i < v.length && v[STRIDE * i + ACK] >= id.counter();
  }

  /** Every actor's latest op, in actor id order. */
  Collection<Touch> actors() {
    if (many != null) {
      return many.values();
    }
    return sole == null ? List.of() : List.of(sole);
  }

  /** What a snapshot keeps of it. */
  AggImage image(ReplicaTable t) {
    return new AggImage(touchImage(t), ackImage(t), new ArrayList<>(actors()));
  }

  /** Takes back what {@link #image} kept (into a fresh aggregate). */
  void load(AggImage ai, ReplicaTable t) {
    ai.touch().forEach((replica, e) -> mergeTouch(t.index(replica), e[0], e[1], e[2]));
    VersionVector ack = ai.ack();
    for (int i = 0; i < ack.size(); i++) {
      raiseAck(t.index(ack.replicaAt(i)), ack.counterAt(i));
    }
    for (Touch tch : ai.actors()) {
      putActor(tch);
    }
  }

  private void recordTouch(int i, long counter, long changeStart) {
    grow(i);
    int k = STRIDE * i;
    if (v[k + START] == changeStart) {
      v[k + LAST] = Math.max(v[k + LAST], counter);
    } else if (changeStart > v[k + START]) {
      v[k + PREV] = Math.max(v[k + PREV], v[k + LAST]);
      v[k + LAST] = counter;
      v[k + START] = changeStart;
    } else {
      // an op of an older change (only when aggregating subtrees): it precedes "last"'s change
      v[k + PREV] = Math.max(v[k + PREV], counter);
    }
  }

  private void mergeTouch(int i, long last, long lastStart, long prevMax) {
    grow(i);
    int k = STRIDE * i;
    if (lastStart == v[k + START]) {
      v[k + LAST] = Math.max(v[k + LAST], last);
      v[k + PREV] = Math.max(v[k + PREV], prevMax);
    } else if (lastStart > v[k + START]) {
      v[k + PREV] = Math.max(Math.max(v[k + PREV], v[k + LAST]), prevMax);
      v[k + LAST] = last;
      v[k + START] = lastStart;
    } else {
      v[k + PREV] = Math.max(v[k + PREV], Math.max(last, prevMax));
    }
  }

  private void raiseAck(int i, long counter) {
    grow(i);
    if (v[STRIDE * i + ACK] < counter) {
      v[STRIDE * i + ACK] = counter;
    }
  }

  private void grow(int i) {
    if (STRIDE * i >= v.length) {
      v = Arrays.copyOf(v, STRIDE * Math.max(i + 1, v.length / STRIDE * 2));
    }
  }

  /** Per replica name: {last, lastStart, prevMax}. */
  private Map<String, long[]> touchImage(ReplicaTable t) {
    int replicas = 0;
    int last = -1;
    for (int k = 0; k < v.length; k += STRIDE) {
      if (v[k + LAST] != 0) {
        replicas++;
        last = k;
      }
    }
    if (replicas == 1) {
      // most objects were only ever touched through one replica: no tree for one entry
      return Map.of(t.name(last / STRIDE), Arrays.copyOfRange(v, last, last + ACK));
    }
    Map<String, long[]> out = new TreeMap<>();
    for (int k = 0; k < v.length; k += STRIDE) {
      if (v[k + LAST] != 0) {
        out.put(t.name(k / STRIDE), Arrays.copyOfRange(v, k, k + ACK));
      }
    }
    return out;
  }

  private VersionVector ackImage(ReplicaTable t) {
    int replicas = 0;
    int last = -1;
    for (int k = 0; k < v.length; k += STRIDE) {
      if (v[k + ACK] > 0) {
        replicas++;
        last = k;
      }
    }
    if (replicas <= 1) {
      // most objects were only ever written through one replica: no map to sort
      return last < 0
          ? VersionVector.EMPTY
          : VersionVector.of(t.name(last / STRIDE), v[last + ACK]);
    }
    TreeMap<String, Long> m = new TreeMap<>();
    for (int k = 0; k < v.length; k += STRIDE) {
      if (v[k + ACK] > 0) {
        m.put(t.name(k / STRIDE), v[k + ACK]);
      }
    }
    return VersionVector.of(m);
  }

  private Touch actor(String actorId) {
    if (many != null) {
      return many.get(actorId);
    }
    return sole != null && sole.author().actorId().equals(actorId) ? sole : null;
  }

  /** Makes {@code tch} its actor's latest op (replacing the one there was). */
  private void putActor(Touch tch) {
    String actor = tch.author().actorId();
    if (many != null) {
      many.put(actor, tch);
    } else if (sole == null || sole.author().actorId().equals(actor)) {
      sole = tch;
    } else {
      many = new TreeMap<>();
      many.put(sole.author().actorId(), sole);
      many.put(actor, tch);
      sole = null;
    }
  }

  /** Forgets {@code actorId}'s op (undoing its first record here). */
  private void removeActor(String actorId) {
    if (many != null) {
      many.remove(actorId);
    } else if (sole != null && sole.author().actorId().equals(actorId)) {
      sole = null;
    }
  }

  /** Puts back what one {@link #record} changed: the counters, one actor's latest op. */
  private static final class RecordUndo implements Runnable {
    private final Agg agg;
    private final long[] v;
    private final String actor;
    private final Touch byActor;

    RecordUndo(Agg agg, String actor, Touch byActor) {
      this.agg = agg;
      this.v = agg.v.length == 0 ? NONE : agg.v.clone();
      this.actor = actor;
      this.byActor = byActor;
    }

    @Override
    public void run() {
      agg.v = v;
      if (byActor == null) {
        agg.removeActor(actor);
      } else {
        agg.putActor(byActor);
      }
    }
  }
}
