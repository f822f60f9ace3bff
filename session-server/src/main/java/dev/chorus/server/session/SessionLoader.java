package dev.chorus.server.session;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.codec.ChangeCodec;
import dev.chorus.crdt.codec.SnapshotCodec;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.store.OpLogStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one session for the registry: reads it from the store on a store thread (creating it there
 * if it does not exist), decodes its snapshot and replays the changes after it on the session's
 * owner context, writes a brand-new session's initial change, attaches it to the cluster and — in a
 * cluster — catches it up before anyone is welcomed.
 */
final class SessionLoader {
  private static final Logger LOG = LoggerFactory.getLogger(SessionLoader.class);

  private final SessionRegistry registry;
  private final OpLogStore store;
  private final ServerConfig config;
  private final WorkerExecutor storeExecutor;

  SessionLoader(SessionRegistry registry, OpLogStore store) {
    this.registry = registry;
    this.store = store;
    this.config = registry.config();
    this.storeExecutor = registry.storeExecutor();
  }

  /**
   * Loads session {@code id} on its owner context {@code ctx}: from the store, or created there
   * with {@code shapeIfNew}.
   */
  Future<Session> load(String id, Shape shapeIfNew, Context ctx) {
    long t0 = System.nanoTime();
    Promise<Session> result = Promise.promise();
    ctx.runOnContext(
        v ->
            storeExecutor
                .executeBlocking(
                    () -> {
                      Optional<OpLogStore.SessionData> data =
                          store.load(id, config.idempotencyWindow());
                      if (data.isEmpty()) {
                        store.create(id, shapeIfNew.name());
                        data = store.load(id, config.idempotencyWindow());
                      }
                      return data.orElseThrow();
                    },
                    false)
                .compose(
                    data ->
                        build(id, data, ctx)
                            .onSuccess(
                                s ->
                                    registry
                                        .metrics()
                                        .sessionLoaded(
                                            System.nanoTime() - t0, data.changes().size())))
                .onComplete(result));
    return result.future();
  }

  /** Builds the session on its context; a brand-new session gets its initial change written. */
  private Future<Session> build(String id, OpLogStore.SessionData data, Context ctx) {
    Promise<Session> p = Promise.promise();
    ctx.runOnContext(
        v -> {
          try {
            Doc doc =
                data.snapshot() != null
                    ? SnapshotCodec.decode(data.snapshot(), registry.replicaId())
                    : new Doc(registry.replicaId());
            Session s =
                new Session(
                    id,
                    Shape.of(data.shape()),
                    doc,
                    ctx,
                    registry,
                    store,
                    data.lastSeq(),
                    config.idempotencyWindow());
            s.loaded(data);
            Future<Void> registered = s.cluster().attach();
            boolean fresh = data.snapshot() == null && data.changes().isEmpty();
            Change init = fresh ? s.initialChange() : null;
            // No welcome before the session caught up with what other replicas hold.
            Promise<Session> written = Promise.promise();
            written
                .future()
                .compose(x -> registered.map(s))
                .compose(
                    x ->
                        registry.replicator().clustered()
                            ? s.cluster().catchUp().map(s)
                            : Future.succeededFuture(s))
                .onSuccess(x -> LOG.debug("session {} loaded: version {}", id, s.version()))
                .onFailure(t -> s.cluster().detach())
                .onComplete(p);
            if (init == null) {
              written.complete(s);
              return;
            }
            long seq = s.nextSeq();
            OpLogStore.StoredChange sc =
                new OpLogStore.StoredChange(
                    init.replica(),
                    init.startCounter(),
                    init.endCounter(),
                    seq,
                    ChangeCodec.toJsonString(init));
            storeExecutor
                .executeBlocking(
                    () -> {
                      store.append(id, List.of(new OpLogStore.StoredBatch(null, List.of(sc))));
                      return s;
                    },
                    false)
                .onComplete(written);
          } catch (Exception e) {
            LOG.error("session {} failed to load", id, e);
            p.fail(new ChorusException(ErrorCode.INTERNAL, "session failed to load: " + e));
          }
        });
    return p.future();
  }
}
