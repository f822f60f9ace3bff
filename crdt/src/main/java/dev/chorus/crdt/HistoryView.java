package dev.chorus.crdt;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * An immutable history: the log's arrays and sizes when it was taken (rows below its size are never
 * written again). Reading it sequentially (iterator, sublists) makes each change once; {@link #get}
 * walks from the last stored {@code deps}.
 */
final class HistoryView extends AbstractList<Change> {
  private final int size;
  private final byte[] kind;
  private final int[] replica;
  private final long[] start;
  private final long[] timestamp;
  private final VersionVector[] deps;
  private final VersionVector[] basedOn;
  private final Author[] author;
  private final Object[] ref;
  private final long[] idA;
  private final int[] idAReplica;
  private final long[] idB;
  private final int[] idBReplica;
  private final int[] textAt;
  private final int[] length;
  private final char[] text;
  private final String[] replicas;
  // how many rows this view has made into changes (only read by tests)
  private int made;

  HistoryView(HistoryLog log) {
    size = log.size;
    kind = log.kind;
    replica = log.replica;
    start = log.start;
    timestamp = log.timestamp;
    deps = log.deps;
    basedOn = log.basedOn;
    author = log.author;
    ref = log.ref;
    idA = log.idA;
    idAReplica = log.idAReplica;
    idB = log.idB;
    idBReplica = log.idBReplica;
    textAt = log.textAt;
    length = log.length;
    text = log.text;
    // copied: a new replica may be added in place after the view is taken
    replicas = Arrays.copyOf(log.replicas, log.replicaCount);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Change get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(i);
    }
    return cursor(i).at(i);
  }

  @Override
  public Iterator<Change> iterator() {
    return listIterator(0);
  }

  @Override
  public java.util.ListIterator<Change> listIterator(int from) {
    if (from < 0 || from > size) {
      throw new IndexOutOfBoundsException(from);
    }
    // Forward reading (what encoders and copies do) walks the deps once; the rest of
    // ListIterator goes by index.
    return new java.util.ListIterator<>() {
      private final Cursor cur = cursor(Math.min(from, Math.max(size - 1, 0)));
      private int next = from;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Change next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        return cur.at(next++);
      }

      @Override
      public boolean hasPrevious() {
        return next > 0;
      }

      @Override
      public Change previous() {
        if (next <= 0) {
          throw new NoSuchElementException();
        }
        return get(--next);
      }

      @Override
      public int nextIndex() {
        return next;
      }

      @Override
      public int previousIndex() {
        return next - 1;
      }

      @Override
      public void remove() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void set(Change c) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void add(Change c) {
        throw new UnsupportedOperationException();
      }
    };
  }

  /** The changes whose first op {@code since} lacks, in applied order. */
  List<Change> changesSince(VersionVector since) {
    List<Change> out = new ArrayList<>();
    Cursor cur = cursor(0);
    for (int i = 0; i < size; i++) {
      if (since.get(replicas[replica[i]]) < start[i]) {
        out.add(cur.at(i));
      }
    }
    return out;
  }

  /** How many rows this view has made into changes so far. */
  int changesMade() {
    return made;
  }

  /**
   * The changes {@code basedOn} lacks, in applied order, each with the version right after it
   * ({@code from} is the version before the first row). Rows {@code basedOn} has are only read, not
   * made into changes: a strict write asks this about a long history to find its last few changes.
   */
  Unseen unseen(VersionVector basedOn, VersionVector from) {
    List<Change> changes = new ArrayList<>();
    List<VersionVector> after = new ArrayList<>();
    long[] ends = new long[replicas.length];
    Cursor cur = null;
    for (int i = 0; i < size; i++) {
      ends[replica[i]] = end(i); // a replica's rows come in its counters' order
      if (basedOn.get(replicas[replica[i]]) >= start[i]) {
        continue;
      }
      // Walking forward makes a deps vector per row passed; a new cursor walks from the last
      // stored deps, at most CHECKPOINT rows back.
      if (cur == null || i - cur.at > HistoryLog.CHECKPOINT) {
        cur = cursor(i);
      }
      changes.add(cur.at(i));
      VersionVector a = from;
      for (int k = 0; k < ends.length; k++) {
        a = a.with(replicas[k], ends[k]);
      }
      after.add(a);
    }
    return new Unseen(changes, after);
  }

  /** A cursor that can make row {@code i} and the rows after it. */
  private Cursor cursor(int i) {
    int from = i;
    while (from > 0 && deps[from] == null) {
      from--;
    }
    return new Cursor(this, from);
  }

  private long end(int i) {
    return switch (kind[i]) {
      case HistoryLog.INSERT -> start[i] + Character.codePointCount(text, textAt[i], length[i]) - 1;
      case HistoryLog.DELETE -> start[i];
      default -> start[i] + width(ops(i)) - 1;
    };
  }

  private OpId id(long counter, int replicaIndex) {
    return replicaIndex < 0 ? null : new OpId(counter, replicas[replicaIndex]);
  }

  @SuppressWarnings("unchecked") // a GENERAL row's ref is what HistoryLog.add put there
  private List<Op> ops(int i) {
    return (List<Op>) ref[i];
  }

  private static long width(List<Op> ops) {
    long w = 0;
    for (Op op : ops) {
      w += op.width();
    }
    return w;
  }

  private Change make(int i, VersionVector d) {
    made++;
    List<Op> ops;
    if (kind[i] == HistoryLog.GENERAL) {
      ops = ops(i);
    } else {
      OpId target = (OpId) ref[i];
      ops =
          List.of(
              kind[i] == HistoryLog.INSERT
                  ? new Op.TextInsert(
                      target,
                      id(idA[i], idAReplica[i]),
                      id(idB[i], idBReplica[i]),
                      new String(text, textAt[i], length[i]))
                  : new Op.TextDelete(
                      target, List.of(new IdRange(id(idA[i], idAReplica[i]), length[i]))));
    }
    String r = replicas[replica[i]];
    return new Change(
        r,
        d.get(r),
        start[i],
        basedOn[i] == null ? d : basedOn[i],
        d,
        author[i],
        timestamp[i],
        ops);
  }

  /** Changes a writer had not seen, and the version right after each ({@link #unseen}). */
  record Unseen(List<Change> changes, List<VersionVector> after) {}

  /** Walks a view's rows forward, keeping the {@code deps} of the row it is at. */
  private static final class Cursor {
    private final HistoryView v;
    private int at;
    private VersionVector d;

    private Cursor(HistoryView v, int from) {
      this.v = v;
      this.at = from;
      this.d = v.size == 0 ? VersionVector.EMPTY : v.deps[from];
    }

    /** Row {@code i} as a change; {@code i} is at or after where the cursor is. */
    Change at(int i) {
      while (at < i) {
        at++;
        VersionVector stored = v.deps[at];
        d = stored != null ? stored : d.with(v.replicas[v.replica[at - 1]], v.end(at - 1));
      }
      return v.make(i, d);
    }
  }
}
