package dev.chorus.server.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Path;
import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.Session;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import reactor.core.publisher.Mono;

/**
 * The MCP tools: each is a thin reading of its arguments over {@link SessionAccess}, the same
 * checks and bodies as REST. Names, descriptions and input schemas live in {@code mcp/tools.json}
 * (docs/protocol.md, "MCP"). A refusal is a tool result with {@code isError} and the protocol's
 * error body ({@code {"code", "message", ...}}); a conflict is not a refusal.
 */
final class ChorusTools {
  private final Vertx vertx;
  private final SessionAccess access;
  private final int maxBatchOps;

  ChorusTools(Vertx vertx, SessionAccess access, int maxBatchOps) {
    this.vertx = vertx;
    this.access = access;
    this.maxBatchOps = maxBatchOps;
  }

  private interface Tool {
    Future<ObjectNode> call(Principal p, ToolArgs a);
  }

  private Map<String, Tool> tools() {
    return Map.of(
        "read_session", this::readSession,
        "apply_ops", this::applyOps,
        "list_conflicts", (p, a) -> open(p, a, false).compose(SessionAccess::conflicts),
        "resolve_conflict", this::resolveConflict,
        "claim_task", (p, a) -> claim(p, a, true),
        "release_task", (p, a) -> claim(p, a, false),
        "changes_since", this::changesSince,
        "wait_for_changes", this::waitForChanges);
  }

  /** One specification per tool of {@code mcp/tools.json}. */
  List<AsyncToolSpecification> specifications(McpJsonMapper json) {
    Map<String, Tool> impl = tools();
    List<AsyncToolSpecification> out = new ArrayList<>();
    for (JsonNode t : definitions()) {
      String name = t.path("name").asText();
      Tool tool = impl.get(name);
      if (tool == null) {
        throw new IllegalStateException("mcp/tools.json names an unknown tool " + name);
      }
      McpSchema.Tool def =
          McpSchema.Tool.builder()
              .name(name)
              .title(t.path("title").asText())
              .description(t.path("description").asText())
              .inputSchema(json, t.path("inputSchema").toString())
              .build();
      out.add(new AsyncToolSpecification(def, handler(tool)));
    }
    return out;
  }

  static JsonNode definitions() {
    try (InputStream in = ChorusTools.class.getResourceAsStream("/mcp/tools.json")) {
      return Values.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("mcp/tools.json is unreadable", e);
    }
  }

  private static BiFunction<
          McpAsyncServerExchange, McpSchema.CallToolRequest, Mono<McpSchema.CallToolResult>>
      handler(Tool tool) {
    return (exchange, req) ->
        Mono.fromCompletionStage(
                () -> {
                  Future<ObjectNode> f;
                  try {
                    f = tool.call(principal(exchange), new ToolArgs(req.arguments()));
                  } catch (ChorusException e) {
                    f = Future.failedFuture(e);
                  }
                  return f.toCompletionStage();
                })
            .map(o -> result(o, false))
            .onErrorResume(t -> Mono.just(result(ChorusException.of(unwrap(t)).toJson(), true)));
  }

  static Principal principal(McpAsyncServerExchange exchange) {
    Object p = exchange.transportContext().get(VertxStreamableTransport.PRINCIPAL);
    if (p instanceof Principal principal) {
      return principal;
    }
    throw new ChorusException(ErrorCode.UNAUTHORIZED, "no verified token on this call");
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause()
        : t;
  }

  private static McpSchema.CallToolResult result(ObjectNode body, boolean error) {
    @SuppressWarnings("unchecked")
    Map<String, Object> structured = Values.MAPPER.convertValue(body, Map.class);
    return McpSchema.CallToolResult.builder()
        .addTextContent(body.toString())
        .structuredContent(structured)
        .isError(error)
        .build();
  }

  // ---------------------------------------------------------------- tools

  private Future<Session> open(Principal p, ToolArgs a, boolean write) {
    return access.open(p, a.string("session"), write, null);
  }

  private Future<ObjectNode> readSession(Principal p, ToolArgs a) {
    String view = a.optionalString("view");
    if (view != null && !view.equals("ids") && !view.equals("plain")) {
      throw ToolArgs.bad("view", "must be \"ids\" or \"plain\"");
    }
    return open(p, a, false)
        .compose(
            s ->
                s.exec(
                    () -> {
                      ObjectNode o = s.reads().snapshot("plain".equals(view));
                      o.set("presence", s.reads().presence());
                      return o;
                    }));
  }

  private Future<ObjectNode> applyOps(Principal p, ToolArgs a) {
    ObjectNode f = Values.NODES.objectNode();
    f.put("basedOn", a.string("basedOn"));
    f.set("ops", a.json().get("ops"));
    f.set("precondition", a.json().get("precondition"));
    return write(p, a, Frames.batch(f, batchId(a), true, maxBatchOps));
  }

  private Future<ObjectNode> resolveConflict(Principal p, ToolArgs a) {
    ObjectNode f = a.json().deepCopy();
    f.remove(List.of("session", "idempotencyKey"));
    return write(p, a, Frames.resolve(f, batchId(a)));
  }

  private Future<ObjectNode> claim(Principal p, ToolArgs a, boolean claim) {
    String task = a.string("task");
    if (task.isEmpty()) {
      throw ToolArgs.bad("task", "must not be empty");
    }
    ObjectNode op = Values.NODES.objectNode();
    op.put("op", claim ? "claim" : "release");
    op.put("path", Path.of("tasks", task).toString());
    if (claim && a.json().has("leaseMs")) {
      op.put("leaseMs", a.integer("leaseMs", 1, 600_000, 60_000));
    }
    ObjectNode f = Values.NODES.objectNode();
    f.put("basedOn", a.string("basedOn"));
    f.putArray("ops").add(op);
    return write(p, a, Frames.batch(f, batchId(a), true, maxBatchOps));
  }

  private Future<ObjectNode> changesSince(Principal p, ToolArgs a) {
    var since = SessionAccess.version("since", a.string("since"));
    List<Path> paths = a.paths("paths");
    return open(p, a, false).compose(s -> SessionAccess.changesTouching(s, since, paths));
  }

  private Future<ObjectNode> waitForChanges(Principal p, ToolArgs a) {
    var since = SessionAccess.version("since", a.string("since"));
    List<Path> paths = a.paths("paths");
    long timeoutMs = a.integer("timeoutSeconds", 1, 120, 10) * 1000;
    return open(p, a, false).compose(s -> ChangeWaiter.await(vertx, s, p, since, paths, timeoutMs));
  }

  // ---------------------------------------------------------------- writing

  private static String batchId(ToolArgs a) {
    String key = a.optionalString("idempotencyKey");
    return key != null ? key : "mcp-" + UUID.randomUUID();
  }

  /**
   * Applies the batch; answers its result with {@code applied: true} and the open conflicts on the
   * paths it wrote that hold one of this actor's intents — the questions this write raised or
   * joined.
   */
  private Future<ObjectNode> write(Principal p, ToolArgs a, Frames.Batch b) {
    Set<String> written = new HashSet<>();
    for (var op : b.ops()) {
      written.add(op.path());
    }
    return open(p, a, true)
        .compose(
            s ->
                SessionAccess.apply(s, p, b)
                    .compose(
                        r ->
                            SessionAccess.conflicts(s)
                                .map(
                                    c -> {
                                      ObjectNode o = r.toJson();
                                      o.put("applied", true);
                                      o.set(
                                          "conflicts",
                                          raisedBy(c.withArray("conflicts"), p, written));
                                      return o;
                                    })));
  }

  private static ArrayNode raisedBy(ArrayNode conflicts, Principal p, Set<String> written) {
    ArrayNode out = Values.NODES.arrayNode();
    for (JsonNode c : conflicts) {
      String path = c.path("path").asText();
      boolean touched = written.stream().anyMatch(w -> related(w, path));
      boolean mine = false;
      for (JsonNode i : c.path("intents")) {
        mine |= p.actorId().equals(i.path("author").path("id").asText());
      }
      if (touched && mine) {
        out.add(c);
      }
    }
    return out;
  }

  /** One path is the other, or an ancestor of it. */
  private static boolean related(String a, String b) {
    return a.equals(b)
        || a.startsWith(b + "/")
        || b.startsWith(a + "/")
        || a.isEmpty()
        || b.isEmpty();
  }
}
