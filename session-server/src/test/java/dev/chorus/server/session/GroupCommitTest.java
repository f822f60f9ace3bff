package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.BOB;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Author;
import dev.chorus.crdt.Doc;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.metrics.Metrics;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.session.StageFixtures.RecordingParticipant;
import dev.chorus.server.session.StageFixtures.RecordingReplicator;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The make-durable stage (docs/protocol.md, "Durability"): an ack only once the batch is in the
 * store (and the op log); batches that arrive while a commit is in flight are committed together;
 * groups are acked and published in order; a failed commit hands every write not yet durable to the
 * session and nothing of them is acked or broadcast. A recording store stands in for the database;
 * the document and the other stages are the real ones.
 */
class GroupCommitTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** An in-memory store that records each append (one transaction) and each snapshot. */
  static final class RecordingStore implements OpLogStore {
    final List<List<StoredBatch>> appends = Collections.synchronizedList(new ArrayList<>());
    final List<String> snapshots = Collections.synchronizedList(new ArrayList<>());
    volatile Consumer<List<StoredBatch>> beforeAppend = rows -> {};

    @Override
    public void append(String sessionId, List<StoredBatch> batches) {
      beforeAppend.accept(batches);
      appends.add(List.copyOf(batches));
    }

    @Override
    public void snapshot(
        String sessionId,
        byte[] snapshot,
        String compactionMarks,
        String version,
        long seq,
        long keepBatchesFromSeq) {
      snapshots.add(version + " @" + seq + " " + snapshot.length + " bytes");
    }

    @Override
    public void init() {}

    @Override
    public Optional<SessionData> load(String sessionId, int batchWindow) {
      return Optional.empty();
    }

    @Override
    public void create(String sessionId, String shape) {}

    @Override
    public CatchUp changesAfter(String sessionId, String have) {
      return new CatchUp("", List.of());
    }

    @Override
    public boolean healthy() {
      return true;
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {}

    /** Batch ids of every append, in order ("-" for a row without a batch record). */
    List<List<String>> batchIds() {
      List<List<String>> out = new ArrayList<>();
      synchronized (appends) {
        for (List<StoredBatch> a : appends) {
          out.add(a.stream().map(b -> b.record() == null ? "-" : b.record().batchId()).toList());
        }
      }
      return out;
    }
  }

  private Vertx vertx;
  private WorkerExecutor worker;
  private Context context;
  private final RecordingStore store = new RecordingStore();
  private final RecordingReplicator replicator = new RecordingReplicator();
  private final Metrics metrics = new Metrics();
  private final Participants participants = new Participants();
  private final RecordingParticipant alice = new RecordingParticipant("p-alice", ALICE);
  private final RecordingParticipant bob = new RecordingParticipant("p-bob", BOB);
  private final List<String> lost = Collections.synchronizedList(new ArrayList<>());
  private final List<String> acks = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean broken;
  private long seq;
  private Doc doc;
  private StageFixtures.Writer writer;
  private GroupCommit commit;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    worker = vertx.createSharedWorkerExecutor("test-store", 2);
    context = vertx.getOrCreateContext();
    participants.add(alice);
    participants.add(bob);
    startCommit(ServerConfig.defaults());
  }

  private void startCommit(ServerConfig config) throws Exception {
    on(
        () -> {
          doc = StageFixtures.agentSessionDoc();
          writer = new StageFixtures.Writer(doc);
          Snapshots snapshots =
              new Snapshots("s1", doc, context, worker, store, metrics, config, () -> false, null);
          Publisher publisher =
              new Publisher("s1", participants, replicator, metrics, () -> (ObjectNode) null);
          commit =
              new GroupCommit(
                  "s1",
                  context,
                  worker,
                  store,
                  metrics,
                  snapshots,
                  publisher,
                  () -> broken,
                  () -> seq,
                  (writes, cause) ->
                      writes.forEach(
                          w -> lost.add(w.batch().batchId() + ": " + cause.getMessage())));
          return null;
        });
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code task} on the session's context and waits (bounded) for its result. */
  private <T> T on(Callable<T> task) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            f.complete(task.call());
          } catch (Throwable t) {
            f.completeExceptionally(t);
          }
        });
    return f.get(10, TimeUnit.SECONDS);
  }

  /**
   * Waits (bounded) for {@code n} acks, then for the context task that acked them to end: it also
   * sends the change frames and publishes the group.
   */
  private void acked(int n) throws Exception {
    await().atMost(WAIT).until(() -> acks.size() == n);
    on(() -> null);
  }

  /**
   * On context: applies a write of {@code author} sent by {@code origin}, queues it, records its
   * ack.
   */
  private PendingWrite add(Author author, String batchId, Participant origin) {
    seq++;
    PendingWrite w =
        writer.write(
            author,
            batchId,
            null,
            "[{\"op\":\"set\",\"path\":\"tasks/" + batchId + "\",\"value\":{\"title\":\"x\"}}]",
            origin,
            null);
    w.outcome().result().onSuccess(r -> acks.add(r.batchId() + " " + r.version()));
    commit.add(w);
    return w;
  }

  @Test
  void writesOfOneLoopTurn_areOneGroup_oneStoreTransaction_thenAckedAndPublishedInOrder()
      throws Exception {
    List<PendingWrite> ws =
        on(
            () -> {
              List<PendingWrite> l = List.of(add(ALICE, "b-1", alice), add(ALICE, "b-2", alice));
              assertEquals(2, commit.queued());
              assertFalse(commit.idle());
              return l;
            });
    acked(2);
    assertEquals(List.of(List.of("b-1", "b-2")), store.batchIds());
    assertEquals(
        List.of("b-1 " + ws.get(0).version(), "b-2 " + ws.get(1).version()), acks, "in order");

    OpLogStore.StoredBatch row = store.appends.get(0).get(0);
    PendingWrite w = ws.get(0);
    assertEquals(w.batch().contentHash(), row.record().contentHash());
    assertEquals(w.version().toString(), row.record().version());
    assertEquals("[null]", row.record().resultsJson());
    assertEquals(1, row.changes().size());
    assertEquals(w.changeJson(), row.changes().get(0).json());
    assertEquals(w.change().startCounter(), row.changes().get(0).startCounter());
    assertEquals(w.change().endCounter(), row.changes().get(0).endCounter());

    await().atMost(WAIT).until(() -> replicator.published.size() == 1);
    List<OpLogEntry> entries = replicator.published.get(0);
    assertEquals(
        List.of("b-1", "b-2"),
        entries.stream().map(OpLogEntry::batchId).toList(),
        "one message for the group");
    assertEquals(w.opsJson(), entries.get(0).opsJson());
    assertEquals(w.changeJson(), entries.get(0).changeJson(), "the same JSON the store got");

    assertEquals(List.of("change", "change"), bob.types());
    assertEquals(List.of(), alice.frames, "alice sent both: acks, no change frames");
    assertTrue(on(() -> commit.idle() && commit.queued() == 0));
  }

  @Test
  void theServersOwnWrites_storeNoBatchRecord() throws Exception {
    on(() -> add(Session.SERVER, "lease-expiry-1", null));
    acked(1);
    OpLogStore.StoredBatch row = store.appends.get(0).get(0);
    assertNull(row.record());
    assertEquals(1, row.changes().size());
    await().atMost(WAIT).until(() -> replicator.published.size() == 1);
    OpLogEntry e = replicator.published.get(0).get(0);
    assertNull(e.batchId());
    assertNull(e.resultsJson());
    assertEquals(List.of("change"), alice.types(), "everyone hears of a server write");
  }

  @Test
  void writesMadeWhileACommitRuns_joinTheNextGroups_andAllSettleInOrder() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeAppend =
        rows -> {
          if (writing.getCount() > 0) {
            writing.countDown();
            await().atMost(WAIT).until(() -> release.getCount() == 0);
          }
        };
    on(() -> add(ALICE, "b-1", alice));
    assertTrue(writing.await(10, TimeUnit.SECONDS));
    // b-1 is in the store's hands; b-2 is the next group, built and queued meanwhile
    on(() -> add(ALICE, "b-2", alice));
    on(() -> add(BOB, "b-3", bob));
    on(() -> add(BOB, "b-4", bob));
    assertEquals(2, (int) on(() -> commit.queued()), "two groups in flight: b-3, b-4 wait");
    assertEquals(List.of(), acks, "nothing is acked before it is durable");
    assertEquals(List.of(), bob.frames);
    release.countDown();
    acked(4);
    assertEquals(
        List.of("b-1", "b-2", "b-3", "b-4"),
        acks.stream().map(a -> a.split(" ")[0]).toList(),
        "acked in apply order");
    List<List<String>> appends = store.batchIds();
    assertEquals(List.of("b-1"), appends.get(0));
    assertEquals(
        List.of("b-1", "b-2", "b-3", "b-4"),
        appends.stream().flatMap(List::stream).toList(),
        "every write stored once, in order");
    assertTrue(
        appends.stream().anyMatch(a -> a.contains("b-3") && a.contains("b-4")),
        "b-3 and b-4 waited together: one group " + appends);
    assertEquals(List.of("change", "change"), alice.types(), "b-3 and b-4 of bob");
    assertEquals(List.of("change", "change"), bob.types(), "b-1 and b-2 of alice");
  }

  @Test
  void durable_completesOnceEveryWriteAddedSoFarIsCommitted() throws Exception {
    assertTrue(on(() -> commit.durable()).succeeded(), "nothing added: durable at once");
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeAppend =
        rows -> {
          writing.countDown();
          await().atMost(WAIT).until(() -> release.getCount() == 0);
        };
    on(() -> add(ALICE, "b-1", alice));
    assertTrue(writing.await(10, TimeUnit.SECONDS));
    on(() -> add(ALICE, "b-2", alice));
    Future<Void> both = on(() -> commit.durable());
    assertFalse(on(both::isComplete), "b-1 and b-2 are not stored yet");
    release.countDown();
    acked(2);
    assertTrue(on(both::succeeded));
  }

  @Test
  void aFailedCommit_handsEveryWriteNotYetDurableToTheSession_andAcksNothing() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    store.beforeAppend =
        rows -> {
          writing.countDown();
          await().atMost(WAIT).until(() -> release.getCount() == 0);
          throw new IllegalStateException("disk full");
        };
    on(() -> add(ALICE, "b-1", alice));
    assertTrue(writing.await(10, TimeUnit.SECONDS));
    on(() -> add(ALICE, "b-2", alice));
    on(() -> add(BOB, "b-3", bob));
    Future<Void> durable = on(() -> commit.durable());
    release.countDown();
    await().atMost(WAIT).until(() -> lost.size() == 3);
    assertTrue(on(durable::failed), "what waited for durability learns it failed");
    assertEquals(List.of("b-1: disk full", "b-2: disk full", "b-3: disk full"), lost);
    assertEquals(List.of(), acks);
    assertEquals(List.of(), store.appends);
    assertEquals(List.of(), replicator.published, "nothing not durable reaches other replicas");
    assertEquals(List.of(), alice.frames);
    assertEquals(List.of(), bob.frames);
    on(() -> add(ALICE, "b-4", alice));
    assertTrue(
        on(() -> commit.queued() == 1 && commit.pipelineIdle()),
        "a failed pipeline takes nothing more");
    assertEquals(List.of(), store.appends);
  }

  @Test
  void aBrokenSession_commitsNothing() throws Exception {
    broken = true;
    on(() -> add(ALICE, "b-1", alice));
    assertEquals(1, (int) on(() -> commit.queued()));
    assertFalse(on(() -> commit.idle()));
    assertEquals(List.of(), store.appends);
    assertEquals(List.of(), acks);
  }

  @Test
  void aSnapshotDueWithAGroup_isWrittenOnceTheGroupIsDurable() throws Exception {
    startCommit(ServerConfig.parse(new String[] {"--snapshot-every", "2"}, Map.of()));
    on(() -> add(ALICE, "b-1", alice));
    acked(1);
    assertEquals(List.of(), store.snapshots);
    String version = on(() -> add(ALICE, "b-2", alice)).version().toString();
    await().atMost(WAIT).until(() -> store.snapshots.size() == 1);
    assertTrue(store.snapshots.get(0).startsWith(version + " @2 "), store.snapshots.toString());
    assertEquals(2, acks.size());
  }

  @Test
  void aBatchWithoutOthersConnected_isStillStoredAndAcked() throws Exception {
    participants.remove(bob);
    on(() -> add(ALICE, "b-1", alice));
    acked(1);
    assertEquals(List.of(List.of("b-1")), store.batchIds());
    assertEquals(List.of(), alice.frames);
    assertEquals(0, replicator.published.get(0).size() - 1, "published all the same");
  }
}
