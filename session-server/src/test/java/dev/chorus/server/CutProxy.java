package dev.chorus.server;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on 127.0.0.1 in front of a node whose replies can be swallowed and whose connections
 * can be cut: a test loses an ack on purpose, with no timing involved.
 */
final class CutProxy implements AutoCloseable {
  private final NetServer server;
  private final NetClient client;
  private final List<NetSocket> open = new CopyOnWriteArrayList<>();
  private volatile boolean swallowReplies;

  private CutProxy(Vertx vertx, int target) throws Exception {
    client = vertx.createNetClient();
    server =
        vertx
            .createNetServer()
            .connectHandler(
                in -> {
                  in.pause();
                  client
                      .connect(target, "127.0.0.1")
                      .onSuccess(
                          out -> {
                            open.add(in);
                            open.add(out);
                            in.handler(out::write);
                            out.handler(
                                b -> {
                                  if (!swallowReplies) {
                                    in.write(b);
                                  }
                                });
                            in.closeHandler(v -> out.close());
                            out.closeHandler(v -> in.close());
                            in.resume();
                          })
                      .onFailure(t -> in.close());
                });
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  static CutProxy start(Vertx vertx, int target) throws Exception {
    return new CutProxy(vertx, target);
  }

  int port() {
    return server.actualPort();
  }

  /** From now on, what the node sends is dropped (or passed again). */
  void swallowReplies(boolean on) {
    swallowReplies = on;
  }

  /** Closes every relayed connection, as a network failure would. */
  void cutAll() {
    for (NetSocket s : open) {
      s.close();
    }
    open.clear();
  }

  @Override
  public void close() throws Exception {
    cutAll();
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close();
  }
}
