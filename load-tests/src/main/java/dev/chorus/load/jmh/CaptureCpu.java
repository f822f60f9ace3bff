// A snapshot's capture of server-bench's document, fresh and through a StateImageCache: thread CPU
// and bytes allocated per capture.
package dev.chorus.load.jmh;

import com.sun.management.ThreadMXBean;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.codec.HistoryChunks;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.type.StateImageCache;
import dev.chorus.load.harness.metrics.Median;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a server's snapshot holds its session up for: the capture ({@code SnapshotCodec.capture}) of
 * server-bench's document — a 4-field card set on keys {@code c0..c<keys-1>} over and over, every
 * replaced card kept (no compaction, as in 24 hours after a start). Each round makes {@code
 * between} more writes, then captures the document through the cache (whose last capture was the
 * round before) and fresh, in alternating order, and checks the two encode to the same bytes.
 * Prints the median thread CPU and allocation of each, so two ways are compared in one JVM on a
 * shared machine.
 *
 * <p>Usage: {@code java -cp ... dev.chorus.load.jmh.CaptureCpu [changes before the first round,
 * 10000] [keys, 1000] [writes between captures, 1000] [rounds, 20]}
 */
public final class CaptureCpu {
  private static final String NOTE = "x".repeat(48);

  private CaptureCpu() {}

  public static void main(String[] args) {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int between = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    Doc doc = new Doc("n1");
    int seq = 0;
    while (seq < changes) {
      setCard(doc, seq++, keys);
    }
    StateImageCache images = new StateImageCache();
    SnapshotCodec.capture(doc, new HistoryChunks(), images);
    List<Double> freshUs = new ArrayList<>();
    List<Double> cachedUs = new ArrayList<>();
    List<Double> freshKb = new ArrayList<>();
    List<Double> cachedKb = new ArrayList<>();
    List<Double> imaged = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < between; i++) {
        setCard(doc, seq++, keys);
      }
      SnapshotCodec.Capture[] taken = new SnapshotCodec.Capture[2];
      for (int k = 0; k < 2; k++) {
        boolean cached = (round + k) % 2 == 0;
        long cpu = threads.getCurrentThreadCpuTime();
        long bytes = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        taken[cached ? 1 : 0] =
            cached
                ? SnapshotCodec.capture(doc, new HistoryChunks(), images)
                : SnapshotCodec.capture(doc, new HistoryChunks());
        double us = (threads.getCurrentThreadCpuTime() - cpu) / 1e3;
        double kb =
            (threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - bytes) / 1024.0;
        (cached ? cachedUs : freshUs).add(us);
        (cached ? cachedKb : freshKb).add(kb);
      }
      imaged.add((double) images.lastImaged());
      if (!Arrays.equals(SnapshotCodec.encode(taken[0]), SnapshotCodec.encode(taken[1]))) {
        throw new IllegalStateException("round " + round + ": the cached capture differs");
      }
    }
    System.out.printf(
        "RESULT capture changes=%d keys=%d between=%d rounds=%d fresh_cpu_us=%.0f cached_cpu_us=%.0f"
            + " fresh_alloc_kb=%.0f cached_alloc_kb=%.0f cached_imaged=%.0f%n",
        changes,
        keys,
        between,
        rounds,
        Median.of(freshUs),
        Median.of(cachedUs),
        Median.of(freshKb),
        Median.of(cachedKb),
        Median.of(imaged));
  }

  private static void setCard(Doc doc, int seq, int keys) {
    doc.edit(
        Author.agent("writer"),
        null,
        0,
        e ->
            e.set(
                Path.of("c" + (seq % keys)),
                Map.of("seq", seq, "title", "card " + seq, "status", "doing", "note", NOTE)));
  }
}
