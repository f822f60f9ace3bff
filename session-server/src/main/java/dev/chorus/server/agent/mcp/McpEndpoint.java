package dev.chorus.server.agent.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.server.ServerConfig;
import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.protocol.ChorusException;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncResourceTemplateSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The node's Model Context Protocol endpoint, {@code /v1/mcp} (Streamable HTTP): agents that speak
 * MCP read and write sessions through tools ({@link ChorusTools}) and read a session's document as
 * the resource {@code chorus://sessions/{session}} (with change notifications to subscribers),
 * bounded by their token exactly as on the websocket and REST. The SDK runs the MCP sessions;
 * {@link VertxStreamableTransport} carries them on this node's HTTP server.
 */
public final class McpEndpoint {
  public static final String PATH = "/v1/mcp";
  static final String RESOURCE_PREFIX = "chorus://sessions/";

  /** What every agent is told at initialisation: the contract in one paragraph. */
  static final String INSTRUCTIONS =
      "Chorus sessions are shared documents that people and agents edit at once. Read a session"
          + " (read_session) and keep its version; pass that version as basedOn with every write,"
          + " so your write replaces only what you had seen. If someone changed the same field"
          + " meanwhile, both values are kept as a conflict: that is not an error, it is a question"
          + " for you or a human (list_conflicts, resolve_conflict). Use precondition \"unchanged\""
          + " to have nothing applied when others touched your paths, an idempotencyKey to retry"
          + " safely, claim_task before working on a task, and wait_for_changes instead of"
          + " polling.";

  private final VertxStreamableTransport transport;
  private final McpAsyncServer server;

  public McpEndpoint(Vertx vertx, SessionAccess access, ServerConfig config) {
    McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    this.transport =
        new VertxStreamableTransport(
            vertx,
            json,
            access,
            config.maxFrameBytes(),
            config.heartbeatMs(),
            config.sessionIdleMs());
    ChorusTools tools = new ChorusTools(vertx, access, config.maxBatchOps());
    this.server =
        McpServer.async(transport)
            .serverInfo("chorus", "1")
            .instructions(INSTRUCTIONS)
            .jsonMapper(json)
            .validateToolInputs(false) // ToolArgs and Frames answer with the protocol's own codes
            .capabilities(
                McpSchema.ServerCapabilities.builder().tools(false).resources(true, false).build())
            .tools(tools.specifications(json))
            .resourceTemplates(sessionResource(access))
            .build();
    transport.observe(
        new ResourceWatches(
            access,
            uri ->
                server
                    .notifyResourcesUpdated(new McpSchema.ResourcesUpdatedNotification(uri))
                    .subscribe()));
  }

  public void mount(Router router) {
    transport.mount(router, PATH);
  }

  public void close() {
    server.close();
  }

  /** {@code chorus://sessions/{session}}: what read_session answers, as a JSON resource. */
  private static AsyncResourceTemplateSpecification sessionResource(SessionAccess access) {
    McpSchema.ResourceTemplate template =
        new McpSchema.ResourceTemplate(
            RESOURCE_PREFIX + "{session}",
            "session",
            "Chorus session",
            "A shared session's document, version, open conflicts and who is here.",
            "application/json",
            null);
    return new AsyncResourceTemplateSpecification(
        template,
        (exchange, req) -> {
          String uri = req.uri();
          if (!uri.startsWith(RESOURCE_PREFIX)) {
            return Mono.error(McpError.RESOURCE_NOT_FOUND.apply(uri));
          }
          String id = uri.substring(RESOURCE_PREFIX.length());
          return Mono.fromCompletionStage(
                  () ->
                      access
                          .open(ChorusTools.principal(exchange), id, false, null)
                          .compose(
                              s ->
                                  s.exec(
                                      () -> {
                                        var o = s.reads().snapshot(false);
                                        o.set("presence", s.reads().presence());
                                        return o.toString();
                                      }))
                          .toCompletionStage())
              .map(
                  text ->
                      new McpSchema.ReadResourceResult(
                          List.of(
                              new McpSchema.TextResourceContents(uri, "application/json", text))))
              .onErrorMap(
                  t ->
                      McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS)
                          .message(ChorusException.of(t).toJson().toString())
                          .build());
        });
  }
}
