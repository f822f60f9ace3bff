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
 * <p>Append-only: rows and chars once written are never changed (the chars grow by copying), so a
 * {@link #view()} stays valid while the log grows, and may be read on another thread once handed
 * over (the snapshot encoder does).
 */
final class HistoryLog {
  /** A row's {@code deps} is stored at least this often. */
  private static final int CHECKPOINT = 64;

  // Rows live in blocks of 2^SHIFT: a history never has more than one block of room to spare, and
  // growing copies at most a block (one growing array per column left half of it empty). The first
  // block grows by doubling to that size, so a small document stays small.
  private static final int SHIFT = 10;
  private static final int MASK = (1 << SHIFT) - 1;

  private static final byte GENERAL = 0;
  private static final byte INSERT = 1;
  private static final byte DELETE = 2;

  /** One block of rows, a column per field. */
  private static final class Block {
    private final byte[] kind;
    private final int[] replica;
    private final long[] start;
    private final long[] timestamp;
    // deps, or null when it follows from the row before
    private final VersionVector[] deps;
    // basedOn, or null when it equals deps
    private final VersionVector[] basedOn;
    private final Author[] author;
    // GENERAL: the Change; INSERT and DELETE: the op's target (one instance per run of equal ones)
    private final Object[] ref;
    // INSERT: originLeft, DELETE: the range start (replica -1: none)
    private final long[] idA;
    private final int[] idAReplica;
    // INSERT: originRight
    private final long[] idB;
    private final int[] idBReplica;
    // INSERT: the chars' offset in text; DELETE: unused
    private final int[] textAt;
    // INSERT: how many chars (UTF-16 units); DELETE: the range length
    private final int[] length;

    /** Room for {@code rows} rows, with the first {@code n} of {@code from} (null: none). */
    private Block(int rows, Block from, int n) {
      kind = new byte[rows];
      replica = new int[rows];
      start = new long[rows];
      timestamp = new long[rows];
      deps = new VersionVector[rows];
      basedOn = new VersionVector[rows];
      author = new Author[rows];
      ref = new Object[rows];
      idA = new long[rows];
      idAReplica = new int[rows];
      idB = new long[rows];
      idBReplica = new int[rows];
      textAt = new int[rows];
      length = new int[rows];
      if (from != null) {
        System.arraycopy(from.kind, 0, kind, 0, n);
        System.arraycopy(from.replica, 0, replica, 0, n);
        System.arraycopy(from.start, 0, start, 0, n);
        System.arraycopy(from.timestamp, 0, timestamp, 0, n);
        System.arraycopy(from.deps, 0, deps, 0, n);
        System.arraycopy(from.basedOn, 0, basedOn, 0, n);
        System.arraycopy(from.author, 0, author, 0, n);
        System.arraycopy(from.ref, 0, ref, 0, n);
        System.arraycopy(from.idA, 0, idA, 0, n);
        System.arraycopy(from.idAReplica, 0, idAReplica, 0, n);
        System.arraycopy(from.idB, 0, idB, 0, n);
        System.arraycopy(from.idBReplica, 0, idBReplica, 0, n);
        System.arraycopy(from.textAt, 0, textAt, 0, n);
        System.arraycopy(from.length, 0, length, 0, n);
      }
    }

    private int capacity() {
      return kind.length;
    }
  }

  private int size;
  private Block[] blocks = new Block[4];
  // the inserted texts, back to back
  private char[] text = new char[16];
  private int textSize;
  // replica ids by index (rows name replicas by index)
  private String[] replicas = new String[4];
  private int replicaCount;

  // what the next row's deps is compared with: the last row's deps and end, and target
  private VersionVector lastDeps;
  private String lastReplica;
  private long lastEnd;
  private OpId lastTarget;

  int size() {
    return size;
  }

  void add(Change c) {
    int i = size;
    if ((i >> SHIFT) == blocks.length) {
      blocks = Arrays.copyOf(blocks, blocks.length * 2);
    }
    int j = i & MASK;
    Block b = blocks[i >> SHIFT];
    if (j == 0) {
      // the first block starts small (most documents are small), the others full size
      b = new Block(i == 0 ? 16 : MASK + 1, null, 0);
      blocks[i >> SHIFT] = b;
    } else if (j == b.capacity()) {
      // a bigger copy: a view taken before keeps the old block, whose rows stay as they were
      b = new Block(Math.min(j * 2, MASK + 1), b, j);
      blocks[i >> SHIFT] = b;
    }
    VersionVector d = c.deps();
    boolean chained = i % CHECKPOINT != 0 && d.equals(lastDeps.with(lastReplica, lastEnd));
    b.replica[j] = replicaIndex(c.replica());
    b.start[j] = c.startCounter();
    b.timestamp[j] = c.timestamp();
    b.deps[j] = chained ? null : d;
    b.basedOn[j] = c.basedOn() == d || c.basedOn().equals(d) ? null : c.basedOn();
    b.author[j] = c.author();
    b.kind[j] = GENERAL;
    b.ref[j] = c;
    if (c.ops().size() == 1) {
      Op op = c.ops().get(0);
      if (op instanceof Op.TextInsert ins) {
        b.kind[j] = INSERT;
        b.ref[j] = target(ins.target());
        setA(b, j, ins.originLeft());
        OpId right = ins.originRight();
        b.idB[j] = right == null ? 0 : right.counter();
        b.idBReplica[j] = right == null ? -1 : replicaIndex(right.replica());
        b.textAt[j] = appendText(ins.text());
        b.length[j] = ins.text().length();
      } else if (op instanceof Op.TextDelete del && del.ranges().size() == 1) {
        IdRange r = del.ranges().get(0);
        b.kind[j] = DELETE;
        b.ref[j] = target(del.target());
        setA(b, j, r.start());
        b.length[j] = r.length();
      }
    }
    lastDeps = d;
    lastReplica = c.replica();
    lastEnd = c.endCounter();
    size++;
  }

  private void setA(Block b, int j, OpId id) {
    b.idA[j] = id == null ? 0 : id.counter();
    b.idAReplica[j] = id == null ? -1 : replicaIndex(id.replica());
  }

  /** The target id, as the instance kept before when equal (typing hits one text). */
  private OpId target(OpId t) {
    if (!t.equals(lastTarget)) {
      lastTarget = t;
    }
    return lastTarget;
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
      text = Arrays.copyOf(text, Math.max(text.length * 2, at + s.length()));
    }
    s.getChars(0, s.length(), text, at);
    textSize += s.length();
    return at;
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
      Block b = v.blocks[i >> SHIFT];
      int j = i & MASK;
      if (since.get(v.replicas[b.replica[j]]) < b.start[j]) {
        out.add(cur.at(i));
      }
    }
    return out;
  }

  /**
   * An immutable history: the log's blocks and sizes when it was taken (rows below its size are
   * never written again). Reading it sequentially (iterator, sublists) makes each change once;
   * {@link #get} walks from the last stored {@code deps}.
   */
  static final class View extends AbstractList<Change> {
    private final int size;
    private final Block[] blocks;
    private final char[] text;
    private final String[] replicas;

    private View(HistoryLog log) {
      size = log.size;
      // copied: the log's array of blocks gets new blocks in place (rows below size never change)
      blocks = Arrays.copyOf(log.blocks, log.blocks.length);
      text = log.text;
      replicas = Arrays.copyOf(log.replicas, log.replicaCount);
    }

    private Block block(int i) {
      return blocks[i >> SHIFT];
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
      while (from > 0 && block(from).deps[from & MASK] == null) {
        from--;
      }
      return new Cursor(this, from);
    }

    private long end(int i) {
      Block b = block(i);
      int j = i & MASK;
      return switch (b.kind[j]) {
        case INSERT -> b.start[j] + Character.codePointCount(text, b.textAt[j], b.length[j]) - 1;
        case DELETE -> b.start[j];
        default -> ((Change) b.ref[j]).endCounter();
      };
    }

    private OpId id(long counter, int replicaIndex) {
      return replicaIndex < 0 ? null : new OpId(counter, replicas[replicaIndex]);
    }

    private Change make(int i, VersionVector d) {
      Block b = block(i);
      int j = i & MASK;
      if (b.kind[j] == GENERAL) {
        return (Change) b.ref[j];
      }
      OpId target = (OpId) b.ref[j];
      OpId a = id(b.idA[j], b.idAReplica[j]);
      Op op =
          b.kind[j] == INSERT
              ? new Op.TextInsert(
                  target,
                  a,
                  id(b.idB[j], b.idBReplica[j]),
                  new String(text, b.textAt[j], b.length[j]))
              : new Op.TextDelete(target, List.of(new IdRange(a, b.length[j])));
      String r = replicas[b.replica[j]];
      return new Change(
          r,
          d.get(r),
          b.start[j],
          b.basedOn[j] == null ? d : b.basedOn[j],
          d,
          b.author[j],
          b.timestamp[j],
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
      this.d = v.size == 0 ? VersionVector.EMPTY : v.block(from).deps[from & MASK];
    }

    /** Row {@code i} as a change; {@code i} is at or after where the cursor is. */
    Change at(int i) {
      while (at < i) {
        at++;
        VersionVector stored = v.block(at).deps[at & MASK];
        String prev = v.replicas[v.block(at - 1).replica[(at - 1) & MASK]];
        d = stored != null ? stored : d.with(prev, v.end(at - 1));
      }
      return v.make(i, d);
    }
  }
}
