package dev.chorus.server.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline's promises: groups settle in submission order whatever order their sinks finish in,
 * and after a failure no later group reaches the store and every later group fails with it.
 */
class CommitPipelineTest {
  private Vertx vertx;
  private WorkerExecutor worker;
  private Context context;
  private final List<Integer> stored = Collections.synchronizedList(new ArrayList<>());
  private final List<String> settled = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> settledOn = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    worker = vertx.createSharedWorkerExecutor("test-store", 4);
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private volatile CommitPipeline<Integer> current;

  private boolean twoInFlight() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    boolean[] full = new boolean[1];
    context.runOnContext(
        v -> {
          full[0] = !current.accepting();
          asked.countDown();
        });
    return asked.await(10, TimeUnit.SECONDS) && full[0];
  }

  private CommitPipeline<Integer> pipeline(CommitPipeline.StoreWrite<Integer> write) {
    return current =
        new CommitPipeline<>(
            context,
            worker,
            write,
            new CommitPipeline.Settled<>() {
              @Override
              public void committed(Integer group, long submittedNanos) {
                settled.add("ok " + group);
                settledOn.add(Thread.currentThread());
              }

              @Override
              public void failed(List<Integer> groups, Throwable cause) {
                groups.forEach(g -> settled.add("failed " + g));
                settledOn.add(Thread.currentThread());
              }
            });
  }

  @Test
  void afterAStoreFailure_laterGroupsNeverReachTheStore_andAllFail() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CommitPipeline<Integer> p =
        pipeline(
            groups -> {
              if (groups.contains(1)) {
                // hold group 1 so group 2 is queued behind it, then fail it
                writing.countDown();
                release.await(10, TimeUnit.SECONDS);
                throw new IllegalStateException("disk full");
              }
              stored.addAll(groups);
            });
    context.runOnContext(v -> p.submit(1));
    assertTrue(writing.await(10, TimeUnit.SECONDS));
    context.runOnContext(v -> p.submit(2));
    await().atMost(Duration.ofSeconds(10)).until(this::twoInFlight);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == 2);
    assertEquals(List.of("failed 1", "failed 2"), settled);
    assertEquals(List.of(), stored, "a group after a failed one is never written");
    CountDownLatch checked = new CountDownLatch(1);
    context.runOnContext(
        v -> {
          assertTrue(!p.accepting(), "a failed pipeline takes nothing more");
          checked.countDown();
        });
    assertTrue(checked.await(10, TimeUnit.SECONDS));
  }

  /**
   * The store write finishes on a store thread where Vert.x reports the session's context as
   * current: settling must still hop to the context's own thread, since the session's state is not
   * thread-safe.
   */
  @Test
  void groupsSettleOnTheSessionsThread_whenTheStoreFinishesLast() throws Exception {
    CommitPipeline<Integer> p = pipeline(stored::addAll);
    Thread[] sessionThread = new Thread[1];
    CountDownLatch submitted = new CountDownLatch(1);
    context.runOnContext(
        v -> {
          sessionThread[0] = Thread.currentThread();
          for (int g = 1; g <= 20; g++) {
            if (p.accepting()) {
              p.submit(g);
            }
          }
          submitted.countDown();
        });
    assertTrue(submitted.await(10, TimeUnit.SECONDS));
    await().atMost(Duration.ofSeconds(10)).until(() -> settled.size() == stored.size());
    assertTrue(!settledOn.isEmpty());
    settledOn.forEach(t -> assertEquals(sessionThread[0], t, "settled on " + t.getName()));
  }
}
