package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --native-transport}: the event loops run on Netty's epoll transport where its library
 * loads, on NIO when asked to or where it does not.
 */
class NativeTransportOptionTest {
  @Test
  void onByDefault_offByFlagOrEnvironment() {
    assertTrue(ServerConfig.parse(new String[0], Map.of()).nativeTransport());
    ServerConfig off = ServerConfig.parse(new String[] {"--native-transport", "false"}, Map.of());
    assertFalse(off.nativeTransport());
    assertTrue(off.describe().contains(" nativeTransport=false "));
    assertFalse(
        ServerConfig.parse(new String[0], Map.of("CHORUS_NATIVE_TRANSPORT", "false"))
            .nativeTransport());
  }

  /**
   * The epoll jar on the node's classpath must match the Netty the rest of Vert.x uses: a version
   * mismatch does not fail the build, only this (Vert.x would quietly fall back to NIO).
   */
  @Test
  void onLinuxX86_64_theEpollTransportLoads() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"));
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      assertTrue(
          vertx.isNativeTransportEnabled(), () -> "" + vertx.unavailableNativeTransportCause());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    Vertx nio = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
    try {
      assertFalse(nio.isNativeTransportEnabled());
    } finally {
      nio.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
