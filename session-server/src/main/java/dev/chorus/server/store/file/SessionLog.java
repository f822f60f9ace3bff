package dev.chorus.server.store.file;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.store.OpLogStore.BatchRecord;
import dev.chorus.server.store.OpLogStore.CatchUp;
import dev.chorus.server.store.OpLogStore.SessionData;
import dev.chorus.server.store.OpLogStore.StoredBatch;
import dev.chorus.server.store.OpLogStore.StoredChange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One session's append-only log file and the index that answers from it. The file is a sequence of
 * {@link LogFrame frames}: the session's creation, then groups (the changes and batch records of
 * one group commit, all or nothing in one frame), and a snapshot at the head of a file that a
 * snapshot rewrote. The index keeps every stored change's key, batch id and where its JSON lies in
 * the file, and the batch records; JSON and snapshot bytes stay on disk until read.
 *
 * <p>Not thread-safe: {@link FileOpLogStore} calls it under the log's monitor.
 */
final class SessionLog {
  private record Change(
      String replica, long start, long end, long seq, String batchId, long jsonAt, int jsonLength) {
    StoredChange stored(String json) {
      return new StoredChange(replica, start, end, seq, json, batchId);
    }
  }

  private record Snapshot(
      String version, VersionVector vv, long seq, String marks, long dataAt, int dataLength) {}

  private final String sessionId;
  private final Path file;
  private FileChannel channel; // opened on first use, closed by the store when too many are open
  private long size;
  private String shape; // null: never created
  private Snapshot snapshot;
  private final Map<String, TreeMap<Long, Change>> changes = new HashMap<>();
  private final Map<String, BatchRecord> batches = new LinkedHashMap<>();

  private SessionLog(String sessionId, Path file) {
    this.sessionId = sessionId;
    this.file = file;
  }

  /** Reads a session's log (if it has one), dropping a torn last frame left by a crash. */
  static SessionLog open(String sessionId, Path file) throws IOException {
    SessionLog log = new SessionLog(sessionId, file);
    if (Files.exists(file)) {
      log.replay();
    }
    return log;
  }

  // --- the store's operations ---

  SessionData load(int batchWindow) throws IOException {
    if (shape == null) {
      return null;
    }
    ByteBuffer all = readAll();
    VersionVector covers = snapshot == null ? VersionVector.EMPTY : snapshot.vv;
    List<Change> inOrder = new ArrayList<>();
    changes.values().forEach(m -> inOrder.addAll(m.values()));
    inOrder.sort(
        Comparator.comparingLong(Change::seq)
            .thenComparing(Change::replica)
            .thenComparingLong(Change::start));
    List<StoredChange> rest = new ArrayList<>();
    List<StoredChange> covered = new ArrayList<>();
    long lastSeq = snapshot == null ? 0 : snapshot.seq;
    for (Change c : inOrder) {
      lastSeq = Math.max(lastSeq, c.seq);
      if (covers.get(c.replica) >= c.start) {
        covered.add(c.stored(null));
      } else {
        rest.add(c.stored(string(all, c.jsonAt, c.jsonLength)));
      }
    }
    List<BatchRecord> recent = new ArrayList<>(batches.values());
    recent.sort(Comparator.comparingLong(BatchRecord::seq));
    recent =
        new ArrayList<>(recent.subList(Math.max(0, recent.size() - batchWindow), recent.size()));
    for (BatchRecord b : recent) {
      lastSeq = Math.max(lastSeq, b.seq());
    }
    byte[] data = null;
    if (snapshot != null) {
      data = new byte[snapshot.dataLength];
      all.get((int) snapshot.dataAt, data);
    }
    return new SessionData(
        shape,
        data,
        snapshot == null ? null : snapshot.marks,
        snapshot == null ? 0 : snapshot.seq,
        rest,
        covered,
        recent,
        lastSeq);
  }

  void create(String newShape) throws IOException {
    if (shape != null) {
      return;
    }
    LogFrame.Writer w = new LogFrame.Writer(LogFrame.SESSION);
    w.putString(sessionId);
    w.putString(newShape);
    write(w.finish());
    shape = newShape;
  }

  /** Appends the changes and batch records not stored yet, in one frame. */
  void append(List<StoredBatch> group) throws IOException {
    // what is new: a change or batch already stored (a retry, a replica's copy) is left as it is
    Map<String, StoredChange> newChanges = new LinkedHashMap<>();
    Map<String, String> batchOf = new HashMap<>();
    Map<String, BatchRecord> newBatches = new LinkedHashMap<>();
    for (StoredBatch sb : group) {
      BatchRecord r = sb.record();
      for (StoredChange sc : sb.changes()) {
        String key = sc.replica() + '\u0000' + sc.startCounter();
        if (!has(sc.replica(), sc.startCounter()) && newChanges.putIfAbsent(key, sc) == null) {
          batchOf.put(key, r == null ? null : r.batchId());
        }
      }
      if (r != null && !batches.containsKey(r.batchId())) {
        newBatches.putIfAbsent(r.batchId(), r);
      }
    }
    if (newChanges.isEmpty() && newBatches.isEmpty()) {
      return;
    }
    LogFrame.Writer w = new LogFrame.Writer(LogFrame.GROUP);
    List<Change> added = new ArrayList<>(newChanges.size());
    w.putInt(newChanges.size());
    for (Map.Entry<String, StoredChange> e : newChanges.entrySet()) {
      StoredChange sc = e.getValue();
      String batchId = batchOf.get(e.getKey());
      w.putString(sc.replica());
      w.putLong(sc.startCounter()).putLong(sc.endCounter()).putLong(sc.seq());
      w.putString(batchId);
      byte[] json = sc.json().getBytes(StandardCharsets.UTF_8);
      int at = w.putBytes(json);
      added.add(
          new Change(
              sc.replica(),
              sc.startCounter(),
              sc.endCounter(),
              sc.seq(),
              batchId,
              at,
              json.length));
    }
    w.putInt(newBatches.size());
    newBatches.values().forEach(r -> putBatch(w, r));
    long base = size;
    write(w.finish());
    for (Change c : added) {
      index(new Change(c.replica, c.start, c.end, c.seq, c.batchId, base + c.jsonAt, c.jsonLength));
    }
    batches.putAll(newBatches);
  }

  CatchUp changesAfter(VersionVector have) throws IOException {
    List<StoredBatch> out = new ArrayList<>();
    ByteBuffer all = null;
    for (Map.Entry<String, TreeMap<Long, Change>> e : changes.entrySet()) {
      for (Change c : e.getValue().tailMap(have.get(e.getKey()), false).values()) {
        if (all == null) {
          all = readAll();
        }
        BatchRecord r = c.batchId == null ? null : batches.get(c.batchId);
        out.add(new StoredBatch(r, List.of(c.stored(string(all, c.jsonAt, c.jsonLength)))));
      }
    }
    return new CatchUp(snapshot == null ? "" : snapshot.version, out);
  }

  /**
   * Keeps a snapshot unless the stored one is not older, then compacts: the changes the replaced
   * snapshot covered and the batch records before {@code keepBatchesFromSeq} are dropped. The file
   * is rewritten (snapshot first, then what is kept) and swapped in atomically, so a crash leaves
   * either the old log or the new one.
   */
  void snapshot(byte[] data, String marks, String version, long seq, long keepBatchesFromSeq)
      throws IOException {
    VersionVector next = VersionVector.parse(version);
    VersionVector prev = snapshot == null ? null : snapshot.vv;
    if (prev != null && (prev.equals(next) || !next.dominates(prev))) {
      return;
    }
    ByteBuffer all = readAll();
    LogFrame.Writer head = new LogFrame.Writer(LogFrame.SESSION);
    head.putString(sessionId);
    head.putString(shape);
    LogFrame.Writer snap = new LogFrame.Writer(LogFrame.SNAPSHOT);
    snap.putString(version);
    snap.putLong(seq);
    snap.putString(marks);
    snap.putBytes(data);
    LogFrame.Writer kept = new LogFrame.Writer(LogFrame.GROUP);
    List<Change> keep = new ArrayList<>();
    for (TreeMap<Long, Change> m : changes.values()) {
      for (Change c : m.values()) {
        long floor = prev == null ? -1 : prev.get(c.replica);
        if (prev == null || c.start > floor || c.end > floor) {
          keep.add(c);
        }
      }
    }
    kept.putInt(keep.size());
    for (Change c : keep) {
      kept.putString(c.replica);
      kept.putLong(c.start).putLong(c.end).putLong(c.seq);
      kept.putString(c.batchId);
      byte[] json = new byte[c.jsonLength];
      all.get((int) c.jsonAt, json);
      kept.putBytes(json);
    }
    List<BatchRecord> keepBatches =
        batches.values().stream().filter(b -> b.seq() >= keepBatchesFromSeq).toList();
    kept.putInt(keepBatches.size());
    keepBatches.forEach(b -> putBatch(kept, b));

    Path tmp = file.resolveSibling(file.getFileName() + FileOpLogStore.TEMP_SUFFIX);
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (ByteBuffer b : List.of(head.finish(), snap.finish(), kept.finish())) {
        writeFully(out, b, out.size());
      }
      out.force(true);
    }
    closeChannel();
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    reset();
    replay();
  }

  /** Closes the file; the next operation opens it again. */
  void closeChannel() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  // --- the file ---

  private void replay() throws IOException {
    ByteBuffer all = readAll();
    int at = 0;
    ByteBuffer payload;
    while ((payload = LogFrame.payloadAt(all, at)) != null) {
      apply(new LogFrame.Reader(payload), payload.position());
      at = payload.limit();
    }
    size = at;
    if (at < all.limit()) {
      // a frame torn by a crash (never acked): cut it off so new frames follow the last whole one
      channel().truncate(at);
    }
  }

  private void apply(LogFrame.Reader r, int payloadAt) {
    byte type = r.type();
    switch (type) {
      case LogFrame.SESSION -> {
        String id = r.getString();
        if (!sessionId.equals(id)) {
          throw new IllegalStateException(file + " holds session " + id + ", not " + sessionId);
        }
        String s = r.getString();
        if (shape == null) {
          shape = s;
        }
      }
      case LogFrame.GROUP -> {
        int n = r.getInt();
        for (int i = 0; i < n; i++) {
          String replica = r.getString();
          long start = r.getLong();
          long end = r.getLong();
          long seq = r.getLong();
          String batchId = r.getString();
          int jsonAt = r.nextBytesAt();
          int length = r.skipBytes();
          if (!has(replica, start)) {
            index(new Change(replica, start, end, seq, batchId, jsonAt, length));
          }
        }
        int b = r.getInt();
        for (int i = 0; i < b; i++) {
          BatchRecord rec =
              new BatchRecord(
                  r.getString(), r.getString(), r.getString(), r.getString(), r.getLong());
          batches.putIfAbsent(rec.batchId(), rec);
        }
      }
      case LogFrame.SNAPSHOT -> {
        String version = r.getString();
        long seq = r.getLong();
        String marks = r.getString();
        int dataAt = r.nextBytesAt();
        int length = r.skipBytes();
        snapshot = new Snapshot(version, VersionVector.parse(version), seq, marks, dataAt, length);
      }
      default ->
          throw new IllegalStateException(
              file + ": unknown frame type " + type + " at " + (payloadAt - LogFrame.HEADER));
    }
  }

  private void write(ByteBuffer frame) throws IOException {
    FileChannel ch = channel();
    try {
      writeFully(ch, frame, size);
    } catch (IOException e) {
      // leave no partial frame behind: the next append starts where the last whole one ended
      ch.truncate(size);
      throw e;
    }
    size += frame.limit();
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
    long pos = at;
    while (b.hasRemaining()) {
      pos += ch.write(b, pos);
    }
  }

  private ByteBuffer readAll() throws IOException {
    FileChannel ch = channel();
    long n = ch.size();
    if (n > Integer.MAX_VALUE) {
      throw new IOException(file + " is over 2 GiB: compaction did not keep up");
    }
    ByteBuffer all = ByteBuffer.allocate((int) n);
    while (all.hasRemaining() && ch.read(all, all.position()) >= 0) {
      // read until full
    }
    return all.flip();
  }

  private FileChannel channel() throws IOException {
    if (channel == null) {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    return channel;
  }

  // --- the index ---

  private void reset() {
    size = 0;
    shape = null;
    snapshot = null;
    changes.clear();
    batches.clear();
  }

  private boolean has(String replica, long start) {
    TreeMap<Long, Change> m = changes.get(replica);
    return m != null && m.containsKey(start);
  }

  private void index(Change c) {
    changes.computeIfAbsent(c.replica, k -> new TreeMap<>()).put(c.start, c);
  }

  private static void putBatch(LogFrame.Writer w, BatchRecord r) {
    w.putString(r.batchId());
    w.putString(r.contentHash());
    w.putString(r.version());
    w.putString(r.resultsJson());
    w.putLong(r.seq());
  }

  private static String string(ByteBuffer all, long at, int length) {
    byte[] b = new byte[length];
    all.get((int) at, b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
