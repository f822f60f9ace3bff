package dev.chorus.load.harness.peer;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The transport floor of the server benchmark: a Vert.x websocket server that relays every text
 * message to the other sockets of the same path and does nothing else — no parsing, no state, no
 * storage, no verification. Any server on this stack does at least this much per write, so the
 * numbers of a stream through it bound what Chorus (or anything built on Vert.x) can reach on the
 * same machine. Run as its own process by {@link PeerServer#relay}: prints {@code {"port": N}},
 * stops when stdin closes.
 */
public final class RelayServer {
  /** The peer name in reports and RESULT lines. */
  public static final String NAME = "vertx-relay";

  private RelayServer() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    Map<String, Set<ServerWebSocket>> rooms = new ConcurrentHashMap<>();
    HttpServer server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .webSocketHandler(
                ws -> {
                  Set<ServerWebSocket> room =
                      rooms.computeIfAbsent(ws.path(), p -> ConcurrentHashMap.newKeySet());
                  room.add(ws);
                  ws.closeHandler(v -> room.remove(ws));
                  ws.textMessageHandler(
                      text -> {
                        for (ServerWebSocket other : room) {
                          if (other != ws) {
                            other.writeTextMessage(text);
                          }
                        }
                      });
                })
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    System.out.println("{\"port\": " + server.actualPort() + "}");
    System.out.flush();
    InputStream in = System.in;
    while (in.read() >= 0) {
      // the harness keeps stdin open while it needs the server
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.exit(0);
  }
}
