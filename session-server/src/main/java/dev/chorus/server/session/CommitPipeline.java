package dev.chorus.server.session;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One session's groups of applied batches on their way to durability: written to the store, then
 * settled strictly in the order they were submitted.
 *
 * <p>Up to {@link #MAX_IN_FLIGHT} groups are in flight, so while one commits the next is already
 * built and queued: the store thread takes every queued group into its next transaction without
 * waiting for the event loop, and the event loop acknowledges one group while the store commits the
 * next. The store still receives the groups in order and stops at its first failure (one store
 * thread at a time per session), so a later change is never durable without the earlier ones it
 * depends on.
 *
 * <p>{@link #submit} and the callbacks run on the session's context; only the store work runs on a
 * worker thread.
 *
 * @param <G> what the session needs back when a group settles
 */
final class CommitPipeline<G> {
  /** Double buffering: one group committing, one waiting. More only splits the same work. */
  static final int MAX_IN_FLIGHT = 2;

  /** Writes groups to the store, in one go, in order. Runs on a worker thread. */
  @FunctionalInterface
  interface StoreWrite<G> {
    void write(List<G> groups) throws Exception;
  }

  /** Told on the session's context, in submission order. */
  interface Settled<G> {
    void committed(G group, long submittedNanos);

    /** The first failed group and every group after it; nothing after them is settled again. */
    void failed(List<G> groups, Throwable cause);
  }

  private static final class Slot<G> {
    final G group;
    final long submittedNanos = System.nanoTime();
    final Promise<Void> stored = Promise.promise();
    Throwable failure;
    boolean done;

    Slot(G group) {
      this.group = group;
    }
  }

  private final Context context;
  private final WorkerExecutor worker;
  private final StoreWrite<G> store;
  private final Settled<G> settled;

  // handed to the store thread
  private final ConcurrentLinkedQueue<Slot<G>> toStore = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile Throwable storeFailure;

  // on the session's context
  private final ArrayDeque<Slot<G>> inFlight = new ArrayDeque<>();
  private boolean failed;

  CommitPipeline(Context context, WorkerExecutor worker, StoreWrite<G> store, Settled<G> settled) {
    this.context = context;
    this.worker = worker;
    this.store = store;
    this.settled = settled;
  }

  /** True if another group may be submitted now. */
  boolean accepting() {
    return !failed && inFlight.size() < MAX_IN_FLIGHT;
  }

  /** True if nothing is on its way to the store. */
  boolean idle() {
    return inFlight.isEmpty();
  }

  /** Sends {@code group} to the store; it settles, on the session's context, once stored. */
  void submit(G group) {
    Slot<G> slot = new Slot<>(group);
    inFlight.add(slot);
    slot.stored.future().onComplete(ar -> context.runOnContext(v -> settle(slot, ar.cause())));
    toStore.add(slot);
    if (draining.compareAndSet(false, true)) {
      worker.executeBlocking(this::drain, false).onFailure(this::notRun);
    }
  }

  /** The worker pool refused the drain (it is closing): what is queued can never be written. */
  private void notRun(Throwable cause) {
    storeFailure = cause;
    for (Slot<G> s = toStore.poll(); s != null; s = toStore.poll()) {
      s.stored.tryFail(cause);
    }
    draining.set(false);
  }

  /** On the store thread: commits everything queued, again and again, until the queue is empty. */
  private Void drain() {
    while (true) {
      List<Slot<G>> slots = new ArrayList<>();
      for (Slot<G> s = toStore.poll(); s != null; s = toStore.poll()) {
        slots.add(s);
      }
      if (slots.isEmpty()) {
        draining.set(false);
        // a submit may have queued after the poll but seen draining still set
        if (toStore.isEmpty() || !draining.compareAndSet(false, true)) {
          return null;
        }
        continue;
      }
      Throwable failure = storeFailure;
      if (failure == null) {
        try {
          store.write(slots.stream().map(s -> s.group).toList());
        } catch (Exception | Error e) {
          storeFailure = failure = e;
        }
      }
      for (Slot<G> s : slots) {
        if (failure == null) {
          s.stored.complete();
        } else {
          s.stored.fail(failure);
        }
      }
    }
  }

  private void settle(Slot<G> slot, Throwable cause) {
    if (failed) {
      return;
    }
    slot.done = true;
    slot.failure = cause;
    while (!inFlight.isEmpty() && inFlight.peek().done) {
      Slot<G> head = inFlight.poll();
      if (head.failure != null) {
        failed = true;
        List<G> lost = new ArrayList<>();
        lost.add(head.group);
        inFlight.forEach(s -> lost.add(s.group));
        inFlight.clear();
        settled.failed(lost, head.failure);
        return;
      }
      settled.committed(head.group, head.submittedNanos);
    }
  }
}
