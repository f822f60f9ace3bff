package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code window} batch ids of a session with the hash of their content and their result,
 * so a re-sent batch is acked again instead of applied again. Entries for batches still waiting for
 * their commit hold the pending promise: a re-send during the commit waits for the same ack.
 *
 * <p>Owned by the session's context; not thread-safe.
 */
final class Idempotency {
  /** What a batch id resolved to. */
  static final class Outcome {
    private final String contentHash;
    private final Session.BatchResult result;
    private final Promise<Session.BatchResult> promise;

    Outcome(String contentHash, Session.BatchResult result, Promise<Session.BatchResult> promise) {
      this.contentHash = contentHash;
      this.result = result;
      this.promise = promise;
    }

    String contentHash() {
      return contentHash;
    }

    /** Completes when the batch is durable. */
    Future<Session.BatchResult> result() {
      return promise.future();
    }

    /** The result as computed at apply time (durable or not). */
    Session.BatchResult resultIfDone() {
      return result;
    }

    void complete(Session.BatchResult r) {
      promise.tryComplete(r);
    }

    void fail(Throwable t) {
      promise.tryFail(t);
    }
  }

  private final LinkedHashMap<String, Outcome> entries;

  Idempotency(int window) {
    this.entries =
        new LinkedHashMap<>(256, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Outcome> e) {
            return size() > window;
          }
        };
  }

  Outcome get(String batchId) {
    return entries.get(batchId);
  }

  /** A batch loaded from the store (already durable). */
  void remember(String batchId, String hash, String version, ArrayNode results) {
    Session.BatchResult r = new Session.BatchResult(batchId, version, results, false);
    Promise<Session.BatchResult> p = Promise.promise();
    p.complete(r);
    entries.put(batchId, new Outcome(hash, r, p));
  }

  /** A batch just applied, waiting for its commit. */
  Outcome remember(
      String batchId, String hash, Promise<Session.BatchResult> promise, Session.BatchResult r) {
    Outcome o = new Outcome(hash, r, promise);
    entries.put(batchId, o);
    return o;
  }

  void forget(String batchId) {
    entries.remove(batchId);
  }
}
