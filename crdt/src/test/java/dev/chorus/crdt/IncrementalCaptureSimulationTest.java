package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.HistoryChunks;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.type.StateImageCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A capture through a {@link StateImageCache} reuses the images of what did not change since its
 * last capture; it must give the very snapshot a fresh capture gives, whatever happened in between.
 * A seeded simulation of three replicas makes random local edits (sets, deletes, nested containers,
 * inserts, moves, splices, increments, keeps; some on stale views, so concurrent conflicts), edits
 * that fail half-way and are rolled back (one of them after a capture taken in the middle of the
 * change), out-of-order delivery (changes wait as pending), compactions, and a second cache that
 * takes the first one's marks over. Captures come at random points, so what changed between two of
 * them is one op or many changes; each is compared byte for byte with a fresh one, and some are
 * decoded and compared by what they read.
 *
 * <p>{@code -Dsim.seeds=N} runs N seeds (default 150); {@code -Dsim.seed=S} runs one. A failure
 * prints its seed and the action log.
 */
class IncrementalCaptureSimulationTest {

  private record Message(int to, Change change) {}

  private record Replica(Doc doc, StateImageCache cache, List<VersionVector> views) {}

  @Test
  void aCachedCapture_isTheFreshSnapshot_byteForByte() {
    SeededRuns.forEachSeed(150, IncrementalCaptureSimulationTest::run);
  }

  private static void run(long seed, List<String> log) {
    Random rnd = new Random(seed);
    List<Replica> replicas = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      replicas.add(new Replica(new Doc("r" + i), new StateImageCache(), new ArrayList<>()));
    }
    // a second cache on replica 0: each of the two captures now and then
    StateImageCache other = new StateImageCache();
    Change base = replicas.get(0).doc().edit(Author.human("setup"), null, 0, RandomIntents::seed);
    for (Replica r : replicas) {
      r.doc().apply(base);
      r.views().add(r.doc().version());
      checkCapture(r.doc(), r.cache(), true, "setup");
    }
    List<Message> net = new ArrayList<>();
    RandomIntents intents = new RandomIntents(rnd);
    int steps = 40 + rnd.nextInt(40);
    for (int step = 0; step < steps; step++) {
      int action = rnd.nextInt(100);
      int at = rnd.nextInt(replicas.size());
      Replica r = replicas.get(at);
      if (action < 45) {
        Change c = edit(r, intents, rnd, step, log, false);
        if (c != null) {
          for (int to = 0; to < replicas.size(); to++) {
            if (to != at) {
              net.add(new Message(to, c));
            }
          }
        }
      } else if (action < 55) {
        edit(r, intents, rnd, step, log, true);
      } else if (action < 90 && !net.isEmpty()) {
        Message m = net.remove(rnd.nextInt(net.size()));
        Replica to = replicas.get(m.to());
        to.doc().apply(m.change());
        to.views().add(to.doc().version());
        log.add("deliver " + m.change().id() + " to r" + m.to());
      } else if (action < 95) {
        while (!net.isEmpty()) {
          Message m = net.remove(rnd.nextInt(net.size()));
          replicas.get(m.to()).doc().apply(m.change());
        }
        VersionVector stable = replicas.get(0).doc().version();
        for (Replica x : replicas) {
          x.doc().compact(stable);
          x.views().clear();
          x.views().add(x.doc().version());
        }
        log.add("deliver all, compact at " + stable);
      } else {
        checkCapture(replicas.get(0).doc(), other, rnd.nextBoolean(), "second cache");
        log.add("r0 captured by the second cache");
      }
      for (Replica x : replicas) {
        if (rnd.nextInt(3) == 0) {
          checkCapture(x.doc(), x.cache(), rnd.nextInt(4) == 0, "step " + step);
        }
      }
    }
    for (Replica x : replicas) {
      checkCapture(x.doc(), x.cache(), true, "end");
    }
  }

  /** A batch of random intents on a fresh or stale view; {@code abandon}: then it throws. */
  private static Change edit(
      Replica r, RandomIntents intents, Random rnd, int step, List<String> log, boolean abandon) {
    Doc d = r.doc();
    VersionVector basedOn =
        rnd.nextInt(3) == 0 ? r.views().get(rnd.nextInt(r.views().size())) : d.version();
    RandomIntents.Places places = RandomIntents.Places.of(d.read());
    List<RandomIntents.Intent> batch = new ArrayList<>();
    for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
      batch.add(intents.next(places));
    }
    // a capture in the middle of the change (then rolled back or not)
    int captureAfter = rnd.nextInt(8) == 0 ? rnd.nextInt(batch.size()) : -1;
    String what = d.replicaId() + (abandon ? " abandons " : " ") + RandomIntents.describe(batch);
    try {
      Change c =
          d.edit(
              intents.author(),
              basedOn,
              step,
              e -> {
                for (int i = 0; i < batch.size(); i++) {
                  batch.get(i).body().accept(e);
                  if (i == captureAfter) {
                    r.cache().capture(d.internalState());
                  }
                }
                if (abandon) {
                  throw new IllegalStateException("abandoned");
                }
              });
      log.add(what + (captureAfter >= 0 ? " (captured mid-change)" : "") + " ok");
      r.views().add(d.version());
      return c;
    } catch (DocException | IllegalStateException e) {
      log.add(what + (captureAfter >= 0 ? " (captured mid-change)" : "") + " refused");
      return null;
    }
  }

  private static void checkCapture(Doc d, StateImageCache cache, boolean decode, String when) {
    byte[] cached = SnapshotCodec.encode(SnapshotCodec.capture(d, new HistoryChunks(), cache));
    byte[] fresh = SnapshotCodec.encode(d);
    assertArrayEquals(fresh, cached, d.replicaId() + " at " + when + ": cached capture differs");
    if (decode) {
      Doc back = SnapshotCodec.decode(cached, d.replicaId());
      assertEquals(d.stateHash(), back.stateHash(), "decoded hash");
      assertEquals(d.toPlain(), back.toPlain(), "decoded document");
      assertEquals(d.conflicts(), back.conflicts(), "decoded conflicts");
      assertEquals(d.pending(), back.pending(), "decoded pending changes");
    }
  }
}
