package dev.chorus.server.store.file;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.store.OpLogStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link OpLogStore} as a directory of append-only files, one per session: the single-node default.
 * A group commit is one frame written with one {@code write} call, so an ack costs a system call
 * instead of an embedded database's transaction (the H2 store's commits and their compiled code
 * were half of a node's store thread in server-bench, see docs/benchmarks.md).
 *
 * <p>Same promise as H2 with {@code WRITE_DELAY=0}: a returned {@link #append} is in the file and
 * survives a crash of the process; the file is not fsynced per commit (power loss may lose the last
 * moments; use PostgreSQL where that matters). A snapshot rewrites its session's file (the
 * snapshot, then the changes and batch records compaction keeps) and swaps it in with an atomic
 * rename. One process owns a directory (a lock file): a cluster shares PostgreSQL instead.
 *
 * <p>Thread-safe: calls for one session run one at a time under its log's monitor, sessions run in
 * parallel.
 */
public final class FileOpLogStore implements OpLogStore {
  static final String TEMP_SUFFIX = ".tmp";
  private static final String LOG_SUFFIX = ".log";
  // open files are bounded: a node with many sessions must not run out of descriptors
  private static final int MAX_OPEN_FILES = 256;

  private final Path dir;
  private final Map<String, SessionLog> sessions = new ConcurrentHashMap<>();
  private final LinkedHashMap<SessionLog, Boolean> open = new LinkedHashMap<>(16, 0.75f, true);
  private FileChannel lockFile;
  private FileLock lock;
  private volatile boolean closed;

  public FileOpLogStore(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  @Override
  public synchronized void init() throws IOException {
    if (lock != null) {
      return;
    }
    Files.createDirectories(dir);
    lockFile =
        FileChannel.open(dir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockFile.close();
      throw new IllegalStateException(
          "the store directory "
              + dir
              + " is in use by another process: two nodes cannot share a --data-dir (a cluster"
              + " shares a --store-url instead)");
    }
    // a rewrite a crash interrupted: the log it was replacing is still whole
    try (DirectoryStream<Path> tmp = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
      for (Path p : tmp) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public Optional<SessionData> load(String sessionId, int batchWindow) throws IOException {
    return Optional.ofNullable(call(sessionId, l -> l.load(batchWindow)));
  }

  @Override
  public void create(String sessionId, String shape) throws IOException {
    call(
        sessionId,
        l -> {
          l.create(shape);
          return null;
        });
  }

  @Override
  public void append(String sessionId, List<StoredBatch> batches) throws IOException {
    call(
        sessionId,
        l -> {
          l.append(batches);
          return null;
        });
  }

  @Override
  public CatchUp changesAfter(String sessionId, String have) throws IOException {
    VersionVector h = VersionVector.parse(have);
    return call(sessionId, l -> l.changesAfter(h));
  }

  @Override
  public void snapshot(
      String sessionId,
      byte[] snapshot,
      String compactionMarks,
      String version,
      long seq,
      long keepBatchesFromSeq)
      throws IOException {
    call(
        sessionId,
        l -> {
          l.snapshot(snapshot, compactionMarks, version, seq, keepBatchesFromSeq);
          return null;
        });
  }

  @Override
  public boolean healthy() {
    return !closed && lock != null && lock.isValid() && Files.isWritable(dir);
  }

  @Override
  public String describe() {
    return "log:" + dir;
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (SessionLog l : sessions.values()) {
      synchronized (l) {
        try {
          l.closeChannel();
        } catch (IOException e) {
          // closing: nothing is pending (every append returned after its write)
        }
      }
    }
    try {
      if (lockFile != null) {
        lockFile.close(); // releases the lock
      }
    } catch (IOException e) {
      // the process is going away with it
    }
  }

  private interface LogCall<T> {
    T run(SessionLog log) throws IOException;
  }

  private <T> T call(String sessionId, LogCall<T> c) throws IOException {
    if (closed) {
      throw new IOException("the store is closed");
    }
    SessionLog log;
    try {
      log = sessions.computeIfAbsent(sessionId, this::openLog);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    T result;
    synchronized (log) {
      result = c.run(log);
    }
    closeLeastRecentlyUsed(log);
    return result;
  }

  private SessionLog openLog(String sessionId) {
    try {
      return SessionLog.open(sessionId, dir.resolve(fileName(sessionId)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void closeLeastRecentlyUsed(SessionLog used) throws IOException {
    List<SessionLog> evicted = new ArrayList<>();
    synchronized (open) {
      open.put(used, Boolean.TRUE);
      var it = open.keySet().iterator();
      while (open.size() > MAX_OPEN_FILES && it.hasNext()) {
        evicted.add(it.next());
        it.remove();
      }
    }
    // outside the LRU's lock: a log's monitor is never taken while holding it
    for (SessionLog l : evicted) {
      synchronized (l) {
        l.closeChannel();
      }
    }
  }

  /** A session id (any text) as a file name: its SHA-256; the id itself is inside the file. */
  static String fileName(String sessionId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h) + LOG_SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
