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
 * A replica's history of changes, in applied order, kept in columns of primitives instead of one
 * {@link Change} object graph per change; changes are made again when a reader asks ({@link
 * #view()}, {@link #changesSince}).
 *
 * <p>Why: a text replica makes one change per keystroke, and as objects each kept about 250 bytes
 * alive in a dozen objects (the change, its op list and op, the text, two origin ids, a version
 * vector) that every young collection had to copy — half of a trace replay's time. Here a change of
 * one text insert or one single-range text delete (what typing makes) takes a row of the columns
 * and its chars in a shared array; any other change is kept as it is.
 *
 * <p>A change's {@code deps} is stored only when it is not what the previous change's {@code deps}
 * extended by that change's own ops (the case for every change made on this replica), and at least
 * every {@link #CHECKPOINT} rows so a row is made again without walking far; {@code basedOn} only
 * when it differs from {@code deps}; {@code prevCounter} never, as it is {@code deps}' entry for
 * the change's replica. Materialized changes equal the ones appended.
 *
 * <p>Append-only: rows and chars once written are never changed (growing copies the arrays), so a
 * {@link #view()} stays valid while the log grows, and may be read on another thread once handed
 * over (the snapshot encoder does).
 */
final class HistoryLog {
  /** A row's {@code deps} is stored at least this often. */
  private static final int CHECKPOINT = 64;

  private static final byte GENERAL = 0;
  private static final byte INSERT = 1;
  private static final byte DELETE = 2;

  private int size;
  private byte[] kind = new byte[16];
  private int[] replica = new int[16];
  private long[] start = new long[16];
  private long[] timestamp = new long[16];
  // deps, or null when it follows from the row before
  private VersionVector[] deps = new VersionVector[16];
  // basedOn, or null when it equals deps
  private VersionVector[] basedOn = new VersionVector[16];
  private Author[] author = new Author[16];
  // GENERAL: the Change; INSERT and DELETE: the op's target (one instance per run of equal ones)
  private Object[] ref = new Object[16];
  // INSERT: originLeft, DELETE: the range start (replica -1: none)
  private long[] idA = new long[16];
  private int[] idAReplica = new int[16];
  // INSERT: originRight
  private long[] idB = new long[16];
  private int[] idBReplica = new int[16];
  // INSERT: the chars' offset in text; DELETE: unused
  private int[] textAt = new int[16];
  // INSERT: how many chars (UTF-16 units); DELETE: the range length
  private int[] length = new int[16];
  // the inserted texts, back to back
  private char[] text = new char[16];
  private int textSize;
  // replica ids by index (rows name replicas by index)
  private String[] replicas = new String[4];
  private int replicaCount;

  // what the next row's deps is compared with: the last row's deps and end
  private VersionVector lastDeps;
  private String lastReplica;
  private long lastEnd;
  // the last row's deps with its own ops, when add was given it
  private VersionVector next;

  int size() {
    return size;
  }

  /**
   * Appends {@code c}; {@code after} is {@code c.deps()} with {@code c}'s own ops, if the caller
   * has it at hand (null if not): a change made on this replica has exactly that as its deps, found
   * by identity instead of making and comparing a vector per change.
   */
  void add(Change c, VersionVector after) {
    if (size == kind.length) {
      grow();
    }
    int i = size;
    VersionVector d = c.deps();
    boolean chained = false;
    if (i % CHECKPOINT != 0) {
      VersionVector expected = next != null ? next : lastDeps.with(lastReplica, lastEnd);
      chained = d == expected || d.equals(expected);
    }
    replica[i] = replicaIndex(c.replica());
    start[i] = c.startCounter();
    timestamp[i] = c.timestamp();
    deps[i] = chained ? null : d;
    basedOn[i] = c.basedOn() == d || c.basedOn().equals(d) ? null : c.basedOn();
    author[i] = c.author();
    kind[i] = GENERAL;
    ref[i] = c;
    if (c.ops().size() == 1) {
      Op op = c.ops().get(0);
      if (op instanceof Op.TextInsert ins) {
        kind[i] = INSERT;
        ref[i] = target(i, ins.target());
        setA(i, ins.originLeft());
        idB[i] = ins.originRight() == null ? 0 : ins.originRight().counter();
        idBReplica[i] = ins.originRight() == null ? -1 : replicaIndex(ins.originRight().replica());
        textAt[i] = appendText(ins.text());
        length[i] = ins.text().length();
      } else if (op instanceof Op.TextDelete del && del.ranges().size() == 1) {
        IdRange r = del.ranges().get(0);
        kind[i] = DELETE;
        ref[i] = target(i, del.target());
        setA(i, r.start());
        length[i] = r.length();
      }
    }
    lastDeps = d;
    next = after;
    lastReplica = c.replica();
    // after holds c's end: counting an inserted text's code points again cost a twentieth of typing
    lastEnd = after != null ? after.get(lastReplica) : c.endCounter();
    size++;
  }

  private void setA(int i, OpId id) {
    idA[i] = id == null ? 0 : id.counter();
    idAReplica[i] = id == null ? -1 : replicaIndex(id.replica());
  }

  /** The target id, as the same instance as the row before's when equal (typing hits one text). */
  private Object target(int i, OpId t) {
    if (i > 0 && kind[i - 1] != GENERAL && t.equals(ref[i - 1])) {
      return ref[i - 1];
    }
    return t;
  }

  private int replicaIndex(String r) {
    for (int k = 0; k < replicaCount; k++) {
      if (replicas[k] == r || replicas[k].equals(r)) {
        return k;
      }
    }
    if (replicaCount == replicas.length) {
      replicas = Arrays.copyOf(replicas, replicaCount * 2);
    }
    replicas[replicaCount] = r;
    return replicaCount++;
  }

  private int appendText(String s) {
    int at = textSize;
    if (at + s.length() > text.length) {
      text = Arrays.copyOf(text, Math.max(text.length + (text.length >> 1), at + s.length()));
    }
    s.getChars(0, s.length(), text, at);
    textSize += s.length();
    return at;
  }

  // By half again, not double: a history is mostly as long as it will be, and double left up to
  // half of every column empty (seph-blog1 kept more than as objects). The arrays soon pass
  // G1's humongous size, where growing is a copy but no young collection moves them again (rows
  // in blocks of 1,024 halved the room but were copied by each young collection: slower replays).
  private void grow() {
    int n = kind.length + (kind.length >> 1);
    kind = Arrays.copyOf(kind, n);
    replica = Arrays.copyOf(replica, n);
    start = Arrays.copyOf(start, n);
    timestamp = Arrays.copyOf(timestamp, n);
    deps = Arrays.copyOf(deps, n);
    basedOn = Arrays.copyOf(basedOn, n);
    author = Arrays.copyOf(author, n);
    ref = Arrays.copyOf(ref, n);
    idA = Arrays.copyOf(idA, n);
    idAReplica = Arrays.copyOf(idAReplica, n);
    idB = Arrays.copyOf(idB, n);
    idBReplica = Arrays.copyOf(idBReplica, n);
    textAt = Arrays.copyOf(textAt, n);
    length = Arrays.copyOf(length, n);
  }

  /** The history as it is now, made into changes as they are read; later appends do not show. */
  View view() {
    return new View(this);
  }

  /** The changes whose first op {@code since} lacks, in applied order. */
  List<Change> changesSince(VersionVector since) {
    View v = view();
    List<Change> out = new ArrayList<>();
    Cursor cur = v.cursor(0);
    for (int i = 0; i < v.size; i++) {
      if (since.get(v.replicas[v.replica[i]]) < v.start[i]) {
        out.add(cur.at(i));
      }
    }
    return out;
  }

  /**
   * An immutable history: the log's arrays and sizes when it was taken (rows below its size are
   * never written again). Reading it sequentially (iterator, sublists) makes each change once;
   * {@link #get} walks from the last stored {@code deps}.
   */
  static final class View extends AbstractList<Change> {
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

    private View(HistoryLog log) {
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
        case INSERT -> start[i] + Character.codePointCount(text, textAt[i], length[i]) - 1;
        case DELETE -> start[i];
        default -> ((Change) ref[i]).endCounter();
      };
    }

    private OpId id(long counter, int replicaIndex) {
      return replicaIndex < 0 ? null : new OpId(counter, replicas[replicaIndex]);
    }

    private Change make(int i, VersionVector d) {
      if (kind[i] == GENERAL) {
        return (Change) ref[i];
      }
      OpId target = (OpId) ref[i];
      Op op =
          kind[i] == INSERT
              ? new Op.TextInsert(
                  target,
                  id(idA[i], idAReplica[i]),
                  id(idB[i], idBReplica[i]),
                  new String(text, textAt[i], length[i]))
              : new Op.TextDelete(
                  target, List.of(new IdRange(id(idA[i], idAReplica[i]), length[i])));
      String r = replicas[replica[i]];
      return new Change(
          r,
          d.get(r),
          start[i],
          basedOn[i] == null ? d : basedOn[i],
          d,
          author[i],
          timestamp[i],
          List.of(op));
    }
  }

  /** Walks a view's rows forward, keeping the {@code deps} of the row it is at. */
  private static final class Cursor {
    private final View v;
    private int at;
    private VersionVector d;

    private Cursor(View v, int from) {
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
