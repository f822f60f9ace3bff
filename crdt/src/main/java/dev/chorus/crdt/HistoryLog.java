package dev.chorus.crdt;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.IdRange;
import dev.chorus.crdt.op.Op;
import java.util.Arrays;

/**
 * A replica's history of changes, in applied order, kept in columns of primitives instead of one
 * {@link Change} object graph per change; changes are made again when a reader asks, through a
 * {@link HistoryView} ({@link #view()}).
 *
 * <p>Why: a text replica makes one change per keystroke, and as objects each kept about 250 bytes
 * alive in a dozen objects (the change, its op list and op, the text, two origin ids, a version
 * vector) that every young collection had to copy — half of a trace replay's time. Here a change of
 * one text insert or one single-range text delete (what typing makes) takes a row of the columns
 * and its chars in a shared array; any other change keeps its op list alone, and is made again like
 * the rest when read (kept whole, each change held its deps, a version vector of its own, and the
 * change record itself: a tenth of what a list insert retained, a sixth of a map write).
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
  static final int CHECKPOINT = 64;

  static final byte GENERAL = 0;
  static final byte INSERT = 1;
  static final byte DELETE = 2;

  int size;
  byte[] kind = new byte[16];
  int[] replica = new int[16];
  long[] start = new long[16];
  long[] timestamp = new long[16];
  // deps, or null when it follows from the row before
  VersionVector[] deps = new VersionVector[16];
  // basedOn, or null when it equals deps
  VersionVector[] basedOn = new VersionVector[16];
  Author[] author = new Author[16];
  // GENERAL: the change's ops; INSERT and DELETE: the op's target (one instance per run of equal
  // ones)
  Object[] ref = new Object[16];
  // INSERT: originLeft, DELETE: the range start (replica -1: none)
  long[] idA = new long[16];
  int[] idAReplica = new int[16];
  // INSERT: originRight
  long[] idB = new long[16];
  int[] idBReplica = new int[16];
  // INSERT: the chars' offset in text; DELETE: unused
  int[] textAt = new int[16];
  // INSERT: how many chars (UTF-16 units); DELETE: the range length
  int[] length = new int[16];
  // the inserted texts, back to back
  char[] text = new char[16];
  private int textSize;
  // replica ids by index (rows name replicas by index)
  String[] replicas = new String[4];
  int replicaCount;

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
    ref[i] = c.ops();
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
  HistoryView view() {
    return new HistoryView(this);
  }
}
