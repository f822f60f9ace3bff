// JMH micro-benchmarks of a server snapshot: the capture (on the event loop) and the encode.
package dev.chorus.load.jmh;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.codec.HistoryChunks;
import dev.chorus.crdt.codec.SnapshotCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of a snapshot of the server-bench document: {@code cards} root keys, each replaced {@code
 * replacements} times by a map {@code {seq, title, status, note}} (one change each, as the
 * server-bench writer does), so the state holds every replaced map as a tombstone and the history
 * {@code cards × replacements} changes. {@link #capture} is what a session's event loop pays per
 * snapshot; the two encodes (capture included) what a whole snapshot costs when every change is
 * encoded again ({@link #encodeWholeHistory}: no {@link HistoryChunks} to copy from, what every
 * snapshot did before they were kept) and when the chunks of an earlier snapshot are copied ({@link
 * #encodeReusingChunks}). With {@code compacted}, the document was compacted (as a single node does
 * at a snapshot) up to the version before the last round of replacements: the replaced maps and the
 * older history are gone. Run with {@code load-tests/bin/jmh SnapshotBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SnapshotBenchmark {
  private static final Author AUTHOR = Author.human("bench");

  @Param({"1000"})
  public int cards;

  @Param({"20"})
  public int replacements;

  @Param({"false", "true"})
  public boolean compacted;

  private Doc doc;
  private HistoryChunks primed;

  @Setup
  public void buildDocument() {
    doc = new Doc("bench");
    long seq = 0;
    for (int round = 0; round < replacements; round++) {
      if (compacted && round == replacements - 1) {
        doc.compact(doc.version());
      }
      for (int i = 0; i < cards; i++) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("seq", seq);
        card.put("title", "card " + seq);
        card.put("status", "doing");
        card.put("note", "x".repeat(48));
        Path key = Path.parse("c" + i);
        doc.edit(AUTHOR, null, ++seq, e -> e.set(key, card));
      }
    }
    primed = new HistoryChunks();
    SnapshotCodec.encode(SnapshotCodec.capture(doc, primed));
  }

  @Benchmark
  public SnapshotCodec.Capture capture() {
    return SnapshotCodec.capture(doc, primed);
  }

  @Benchmark
  public byte[] encodeWholeHistory() {
    return SnapshotCodec.encode(SnapshotCodec.capture(doc, new HistoryChunks()));
  }

  @Benchmark
  public byte[] encodeReusingChunks() {
    return SnapshotCodec.encode(SnapshotCodec.capture(doc, primed));
  }
}
