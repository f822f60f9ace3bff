package dev.chorus.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

/** A real MCP client (the SDK's, over Streamable HTTP) with a bearer token, for tests. */
final class McpAgent implements AutoCloseable {
  final McpSyncClient client;

  /** A tool's answer: the JSON body of its text content, and whether it is a refusal. */
  record Result(JsonNode body, boolean error) {}

  McpAgent(String base, String token) {
    this(base, token, contents -> {});
  }

  /** With {@code updated} told the new contents of every resource it subscribed to that changed. */
  McpAgent(
      String base,
      String token,
      java.util.function.Consumer<java.util.List<McpSchema.ResourceContents>> updated) {
    HttpClientStreamableHttpTransport transport =
        HttpClientStreamableHttpTransport.builder(base)
            .endpoint("/v1/mcp")
            .clientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1))
            .requestBuilder(HttpRequest.newBuilder().header("Authorization", "Bearer " + token))
            .build();
    client =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofSeconds(30))
            .resourcesUpdateConsumer(updated)
            .build();
    client.initialize();
  }

  Result call(String tool, Map<String, Object> args) throws Exception {
    McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(tool, args));
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    return new Result(Rest.M.readTree(text), Boolean.TRUE.equals(r.isError()));
  }

  /** A call that must succeed; its body. */
  JsonNode ok(String tool, Map<String, Object> args) throws Exception {
    Result r = call(tool, args);
    if (r.error()) {
      throw new AssertionError(tool + " refused: " + r.body());
    }
    return r.body();
  }

  @Override
  public void close() {
    client.closeGracefully();
  }
}
