package dev.chorus.server.access;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.auth.TokenService;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.BatchResult;
import dev.chorus.server.session.Session;
import dev.chorus.server.session.SessionRegistry;
import io.vertx.core.Future;
import java.util.Collection;

/**
 * What a token may do with a session, for every transport alike (REST, the event stream, MCP): one
 * place that checks the grant and the role, and one shape for each answer, so an agent gets the
 * same bounds and the same bodies whichever way it talks to the node.
 */
public final class SessionAccess {
  private final SessionRegistry registry;
  private final TokenService tokens;

  public SessionAccess(SessionRegistry registry, TokenService tokens) {
    this.registry = registry;
    this.tokens = tokens;
  }

  public SessionRegistry registry() {
    return registry;
  }

  /** Verifies a token (null = missing); fails with {@code unauthorized}. */
  public Future<Principal> authenticate(String token) {
    return tokens.verify(token);
  }

  /** Fails with {@code forbidden} unless the token grants the session and, to write, may write. */
  public static void check(Principal p, String sessionId, boolean write) {
    if (!p.grants(sessionId)) {
      throw new ChorusException(ErrorCode.FORBIDDEN, "token does not grant session " + sessionId);
    }
    if (write && !p.role().canWrite()) {
      throw new ChorusException(
          ErrorCode.FORBIDDEN, "role " + p.role().wireName() + " cannot write");
    }
  }

  /** Checks the grant (see {@link #check}) and opens (or creates) the session. */
  public Future<Session> open(Principal p, String sessionId, boolean write, String shapeIfNew) {
    try {
      check(p, sessionId, write);
    } catch (ChorusException e) {
      return Future.failedFuture(e);
    }
    return registry.open(sessionId, shapeIfNew);
  }

  /** {@code GET .../conflicts} body. */
  public static Future<ObjectNode> conflicts(Session s) {
    return s.exec(
        () -> {
          ObjectNode o = Values.NODES.objectNode();
          o.put("version", s.version().toString());
          o.set("conflicts", s.reads().conflicts());
          return o;
        });
  }

  /** {@code GET .../history} body; fails with {@code bad_frame} or {@code stale_base}. */
  public static Future<ObjectNode> history(Session s, String since) {
    VersionVector v;
    try {
      v = version("since", since);
    } catch (ChorusException e) {
      return Future.failedFuture(e);
    }
    return s.exec(
        () -> {
          ObjectNode o = Values.NODES.objectNode();
          o.put("version", s.version().toString());
          o.set("changes", s.reads().changesSince(v));
          return o;
        });
  }

  /**
   * What changed since a version at (or above, or below) some paths, change by change, with
   * authors: {@code {"version", "changes": [UnseenChange]}}.
   */
  public static Future<ObjectNode> changesTouching(
      Session s, VersionVector since, Collection<Path> paths) {
    return s.exec(
        () -> {
          ObjectNode o = Values.NODES.objectNode();
          o.put("version", s.version().toString());
          ArrayNode changes = s.reads().changesTouching(since, paths);
          o.set("changes", changes);
          return o;
        });
  }

  /** Applies a batch on the session's context; the result once it is durable. */
  public static Future<BatchResult> apply(Session s, Principal p, Frames.Batch b) {
    return s.execAsync(() -> s.submit(b, p, null));
  }

  /** Parses a version; {@code bad_frame} naming the field if it is not one. */
  public static VersionVector version(String field, String text) {
    try {
      return VersionVector.parse(text == null ? "" : text);
    } catch (IllegalArgumentException e) {
      throw new ChorusException(ErrorCode.BAD_FRAME, field + ": " + e.getMessage());
    }
  }

  /** Parses a path; {@code bad_frame} naming the field if it is not one. */
  public static Path path(String field, String text) {
    try {
      return Path.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ChorusException(ErrorCode.BAD_FRAME, field + ": " + e.getMessage());
    }
  }
}
