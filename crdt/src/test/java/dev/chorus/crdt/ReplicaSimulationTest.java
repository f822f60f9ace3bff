package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded simulation of 3–5 replicas: random local edits (some on stale views, some conflicting),
 * random delivery order, duplicates, delays, partitions and heals. After full delivery every
 * replica must show the same document, report the same conflicts and compute the same hash, with
 * nothing left buffered. Edits that fail must leave their replica untouched. After every step, the
 * conflict events a replica emitted must add up to exactly the conflicts it reports.
 *
 * <p>{@code -Dsim.seeds=N} runs N seeds (default 2000); {@code -Dsim.seed=S} runs one. A failure
 * prints its seed and the whole action log.
 */
class ReplicaSimulationTest {

  record Message(int to, Change change) {}

  @Test
  void replicasConverge_underReorderingDuplicationAndPartitions() {
    SeededRuns.forEachSeed(2000, ReplicaSimulationTest::run);
  }

  static void run(long seed, List<String> log) {
    Random rnd = new Random(seed);
    int n = 3 + rnd.nextInt(3);
    List<Doc> docs = new ArrayList<>();
    List<List<VersionVector>> seenVersions = new ArrayList<>();
    List<ConflictView> conflictViews = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      docs.add(new Doc("r" + i));
      conflictViews.add(new ConflictView(docs.get(i)));
      seenVersions.add(new ArrayList<>());
    }
    Change base = docs.get(0).edit(Author.human("setup"), null, 0, RandomIntents::seed);
    for (int i = 1; i < n; i++) {
      docs.get(i).apply(base);
    }
    for (int i = 0; i < n; i++) {
      seenVersions.get(i).add(docs.get(i).version());
    }
    List<Message> net = new ArrayList<>();
    boolean[] cut = new boolean[n];
    RandomIntents intents = new RandomIntents(rnd);
    int steps = 20 + rnd.nextInt(40);
    for (int step = 0; step < steps; step++) {
      int action = rnd.nextInt(100);
      if (action < 50) {
        int r = rnd.nextInt(n);
        Doc d = docs.get(r);
        List<VersionVector> views = seenVersions.get(r);
        // Thin clients lag: a third of the writes are based on an older view of this replica.
        VersionVector basedOn =
            rnd.nextInt(3) == 0 ? views.get(rnd.nextInt(views.size())) : d.version();
        int k = 1 + rnd.nextInt(2);
        List<RandomIntents.Intent> batch = new ArrayList<>();
        RandomIntents.Places places = RandomIntents.Places.of(d.read());
        assertGetAgreesWithRead(d, places);
        for (int i = 0; i < k; i++) {
          batch.add(intents.next(places));
        }
        Author author = intents.author();
        String before = d.stateHash();
        VersionVector vBefore = d.version();
        try {
          Change c = d.edit(author, basedOn, step, e -> batch.forEach(in -> in.body().accept(e)));
          log.add(
              "r"
                  + r
                  + " "
                  + author.actorId()
                  + " @"
                  + basedOn
                  + " "
                  + RandomIntents.describe(batch)
                  + " ok");
          if (c != null) {
            for (int to = 0; to < n; to++) {
              if (to != r) {
                net.add(new Message(to, c));
              }
            }
          }
        } catch (DocException e) {
          log.add("r" + r + " " + RandomIntents.describe(batch) + " refused: " + e.code());
          assertEquals(before, d.stateHash(), "a refused edit changed the state");
          assertEquals(vBefore, d.version());
        }
        views.add(d.version());
        assertEventsComplete(d, conflictViews.get(r));
      } else if (action < 85 && !net.isEmpty()) {
        int i = rnd.nextInt(net.size());
        Message m = net.get(i);
        int from = indexOf(docs, m.change().replica());
        if (cut[m.to()] != cut[from]) {
          continue; // held by the partition
        }
        net.remove(i);
        if (rnd.nextInt(10) == 0) {
          net.add(m); // duplicated: delivered again later
        }
        docs.get(m.to()).apply(m.change());
        seenVersions.get(m.to()).add(docs.get(m.to()).version());
        assertEventsComplete(docs.get(m.to()), conflictViews.get(m.to()));
        log.add("deliver " + m.change().id() + " to r" + m.to());
      } else if (action < 92) {
        for (int i = 0; i < n; i++) {
          cut[i] = rnd.nextBoolean();
        }
        log.add("partition " + java.util.Arrays.toString(cut));
      } else {
        java.util.Arrays.fill(cut, false);
        log.add("heal");
      }
    }
    // Heal and deliver everything, in random order.
    while (!net.isEmpty()) {
      Message m = net.remove(rnd.nextInt(net.size()));
      docs.get(m.to()).apply(m.change());
      assertEventsComplete(docs.get(m.to()), conflictViews.get(m.to()));
    }
    Doc first = docs.get(0);
    for (Doc d : docs) {
      assertTrue(d.pending().isEmpty(), d.replicaId() + " still buffers changes");
      assertEquals(first.version(), d.version(), d.replicaId() + " version");
      assertEquals(first.toPlain(), d.toPlain(), d.replicaId() + " document");
      assertEquals(first.conflicts(), d.conflicts(), d.replicaId() + " conflicts");
      assertEquals(first.stateHash(), d.stateHash(), d.replicaId() + " hash");
    }
    // A snapshot is an identical replica, before and after compaction at the stable version.
    Doc back = SnapshotCodec.decode(SnapshotCodec.encode(first), first.replicaId());
    assertEquals(first.toPlain(), back.toPlain(), "snapshot document");
    assertEquals(first.stateHash(), back.stateHash(), "snapshot round trip");
    assertEquals(first.conflicts(), back.conflicts(), "snapshot conflicts");
    back.compact(back.version());
    assertEquals(first.toPlain(), back.toPlain(), "compaction changes nothing visible");
    assertEquals(first.stateHash(), back.stateHash(), "compaction changes nothing visible");
    Doc compacted = SnapshotCodec.decode(SnapshotCodec.encode(back), "r9");
    assertEquals(first.stateHash(), compacted.stateHash(), "compacted snapshot round trip");
    Change more =
        compacted.edit(Author.human("after"), null, 0, e -> new RandomIntents(rnd).seedMore(e));
    if (more != null) {
      first.apply(more);
      assertEquals(first.stateHash(), compacted.stateHash(), "compacted replica keeps merging");
    }
  }

  /** Conflict events alone must tell a listener exactly what is open. */
  /**
   * {@code get} reads only along its path; it must show exactly what the whole read shows there,
   * and find nothing where the read shows nothing (also below scalars, texts and counters).
   */
  private static void assertGetAgreesWithRead(Doc d, RandomIntents.Places places) {
    Value root = d.read();
    for (Path p : places.entries) {
      Value v = lookUp(root, p);
      assertEquals(v.toPlain(), d.get(p), "get " + p);
      Path below = p.child("nothing-here");
      assertThrows(DocException.class, () -> d.get(below), "get " + below);
    }
    assertEquals(root.toPlain(), d.get(Path.ROOT));
  }

  private static Value lookUp(Value v, Path p) {
    for (String seg : p.segments()) {
      if (v instanceof Value.MapValue m) {
        v = m.entries().get(seg);
      } else {
        Value at = null;
        for (Value.Element e : ((Value.ListValue) v).elements()) {
          if (e.id().equals(seg)) {
            at = e.value();
          }
        }
        v = at;
      }
    }
    return v;
  }

  private static void assertEventsComplete(Doc d, ConflictView view) {
    assertEquals(
        ConflictView.of(d.conflicts()), view.open(), d.replicaId() + " conflicts told by events");
  }

  private static int indexOf(List<Doc> docs, String replica) {
    for (int i = 0; i < docs.size(); i++) {
      if (docs.get(i).replicaId().equals(replica)) {
        return i;
      }
    }
    throw new IllegalStateException(replica);
  }
}
