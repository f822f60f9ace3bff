package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.chorus.server.protocol.Values;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

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
    private BatchResult result;
    private Promise<BatchResult> promise;
    // a durable batch known from the store or the op log: its results are parsed only if the
    // batch is sent again (a load remembers up to `window` of them)
    private final Supplier<BatchResult> durable;

    private Outcome(
        String contentHash,
        BatchResult result,
        Promise<BatchResult> promise,
        Supplier<BatchResult> durable) {
      this.contentHash = contentHash;
      this.result = result;
      this.promise = promise;
      this.durable = durable;
    }

    String contentHash() {
      return contentHash;
    }

    /** Completes when the batch is durable. */
    Future<BatchResult> result() {
      if (promise == null) {
        promise = Promise.promise();
        promise.complete(resultIfDone());
      }
      return promise.future();
    }

    /** The result as computed at apply time (durable or not). */
    BatchResult resultIfDone() {
      if (result == null) {
        result = durable.get();
      }
      return result;
    }

    void complete(BatchResult r) {
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

  /** A durable batch from the store or the op log, with its results as stored (JSON). */
  void remember(String batchId, String hash, String version, String resultsJson) {
    entries.put(
        batchId,
        new Outcome(
            hash,
            null,
            null,
            () ->
                new BatchResult(
                    batchId, version, parseResults(resultsJson), resultsJson, false, null)));
  }

  private static ArrayNode parseResults(String json) {
    try {
      return (ArrayNode) Values.MAPPER.readTree(json);
    } catch (Exception e) {
      return Values.NODES.arrayNode();
    }
  }

  /** A batch just applied, waiting for its commit. */
  Outcome remember(String batchId, String hash, Promise<BatchResult> promise, BatchResult r) {
    Outcome o = new Outcome(hash, r, promise, null);
    entries.put(batchId, o);
    return o;
  }

  void forget(String batchId) {
    entries.remove(batchId);
  }
}
