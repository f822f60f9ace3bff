package dev.chorus.server;

import dev.chorus.crdt.ActorKind;
import dev.chorus.server.auth.Role;
import dev.chorus.server.auth.TokenService;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point. {@code java -jar chorus-server.jar [flags]} runs a node until SIGTERM/SIGINT
 * (graceful: queued batches are committed, clients told to reconnect, the store closed); {@code
 * java -jar chorus-server.jar token --sub alice --sessions demo [--kind human] [--role editor]
 * [--ttl 86400] [--data-dir DIR | --jwt-secret K]} prints a token signed with the node's key (it
 * refuses when the data dir holds no key rather than making one no node knows).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.print(ServerConfig.help());
      return;
    }
    if (args.length > 0 && args[0].equals("token")) {
      System.exit(token(Arrays.copyOfRange(args, 1, args.length)));
    }
    ServerConfig config;
    try {
      config = ServerConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("chorus: " + e.getMessage());
      System.err.print(ServerConfig.help());
      System.exit(2);
      return;
    }
    ChorusServer server = ChorusServer.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "chorus-shutdown"));
  }

  /** The {@code token} subcommand; returns the exit code. */
  static int token(String[] args) throws Exception {
    String sub = null;
    String kind = "human";
    String role = "editor";
    String sessions = null;
    long ttl = 86_400;
    List<String> serverArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--sub":
          sub = v;
          i++;
          break;
        case "--kind":
          kind = v;
          i++;
          break;
        case "--role":
          role = v;
          i++;
          break;
        case "--sessions":
          sessions = v;
          i++;
          break;
        case "--ttl":
          ttl = Long.parseLong(v);
          i++;
          break;
        default:
          // --data-dir / --jwt-secret select the key, as for the server
          serverArgs.add(a);
      }
    }
    if (sub == null || sessions == null) {
      System.err.println(
          "usage: token --sub ID --sessions a,b|* [--kind human|agent]"
              + " [--role viewer|editor|owner] [--ttl SECONDS] [--data-dir DIR | --jwt-secret K]");
      return 2;
    }
    ServerConfig config = ServerConfig.parse(serverArgs.toArray(new String[0]), System.getenv());
    Path key = config.dataDir().resolve("jwt-secret");
    if ((config.jwtSecret() == null || config.jwtSecret().isBlank()) && !Files.exists(key)) {
      // Making a new key here (as a starting node does) would print a token no node accepts.
      System.err.println(
          "chorus token: no key at "
              + key.toAbsolutePath()
              + ": pass the node's data dir (--data-dir DIR, default ./data relative to where"
              + " the node runs) or its --jwt-secret");
      return 2;
    }
    String secret = TokenService.resolveSecret(config.jwtSecret(), config.dataDir());
    Vertx vertx = Vertx.vertx();
    try {
      TokenService t = new TokenService(vertx, secret);
      System.out.println(
          t.mint(
              sub,
              ActorKind.fromWire(kind),
              Arrays.asList(sessions.split(",")),
              Role.fromWire(role),
              ttl));
      return 0;
    } finally {
      vertx.close();
    }
  }
}
