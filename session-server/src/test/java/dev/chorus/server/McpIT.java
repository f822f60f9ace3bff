package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.crdt.ActorKind;
import dev.chorus.server.auth.Role;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An MCP agent (the SDK's own client) and websocket/REST humans on one real node. */
class McpIT extends ItBase {

  private static final String TASK =
      "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"Summarise\",\"status\":\"todo\"}}]";

  private static List<Object> setStatus(String value) {
    return List.of(Map.of("op", "set", "path", "tasks/t1/status", "value", value));
  }

  @Test
  void toolsAreListedWithTheirContract() throws Exception {
    String s = newSession();
    try (McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      Set<String> names = new HashSet<>();
      for (McpSchema.Tool t : agent.client.listTools().tools()) {
        names.add(t.name());
        assertTrue(t.description().length() > 40, t.name() + " explains itself");
      }
      assertEquals(
          Set.of(
              "read_session",
              "apply_ops",
              "list_conflicts",
              "resolve_conflict",
              "claim_task",
              "release_task",
              "changes_since",
              "wait_for_changes"),
          names);
    }
  }

  @Test
  void dualWriterRace_mcpAgentAndWebsocketHuman_bothSeeTheConflict_agentResolvesIt()
      throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      String v1 =
          alice.write(alice.welcome().path("version").asText(), TASK).path("version").asText();
      JsonNode read = agent.ok("read_session", Map.of("session", s));
      assertEquals(v1, read.path("version").asText());
      assertEquals("todo", read.path("doc").path("tasks").path("t1").path("status").asText());

      // alice changes the status after the agent read it; the agent writes on its stale view
      alice.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]");
      JsonNode w =
          agent.ok("apply_ops", Map.of("session", s, "basedOn", v1, "ops", setStatus("cancelled")));
      assertTrue(w.path("applied").asBoolean());
      JsonNode mine = w.path("conflicts").get(0);
      assertEquals("tasks/t1/status", mine.path("path").asText());
      Set<String> intents = new HashSet<>();
      for (JsonNode i : mine.path("intents")) {
        intents.add(i.path("author").path("id").asText() + "=" + i.path("value").asText());
      }
      assertEquals(Set.of("alice=done", "planner=cancelled"), intents);

      // the human sees the same conflict, pushed
      JsonNode opened = alice.await(f -> f.path("type").asText().equals("conflict.opened"));
      assertEquals("tasks/t1/status", opened.path("conflict").path("path").asText());
      assertEquals(2, opened.path("conflict").path("intents").size());
      assertEquals(
          "tasks/t1/status",
          agent
              .ok("list_conflicts", Map.of("session", s))
              .path("conflicts")
              .get(0)
              .path("path")
              .asText());

      // the agent decides; everyone hears it resolved
      JsonNode r =
          agent.ok(
              "resolve_conflict", Map.of("session", s, "path", "tasks/t1/status", "value", "done"));
      assertEquals(0, r.path("conflicts").size());
      JsonNode resolved = alice.await(f -> f.path("type").asText().equals("conflict.resolved"));
      assertEquals("planner", resolved.path("by").path("id").asText());
      assertEquals(0, agent.ok("list_conflicts", Map.of("session", s)).path("conflicts").size());
    }
  }

  @Test
  void staleStrictApplyOps_isRefusedWithTheHumansChange_nothingApplied() throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      String v1 =
          alice.write(alice.welcome().path("version").asText(), TASK).path("version").asText();
      String v2 =
          alice
              .write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"done\"}]")
              .path("version")
              .asText();
      McpAgent.Result r =
          agent.call(
              "apply_ops",
              Map.of(
                  "session",
                  s,
                  "basedOn",
                  v1,
                  "precondition",
                  "unchanged",
                  "ops",
                  setStatus("doing")));
      assertTrue(r.error());
      assertEquals("precondition_failed", r.body().path("code").asText());
      JsonNode unseen = r.body().path("unseen").get(0);
      assertEquals("tasks/t1/status", unseen.path("path").asText());
      assertEquals("done", unseen.path("value").asText());
      assertEquals("alice", unseen.path("author").path("id").asText());
      JsonNode now = agent.ok("read_session", Map.of("session", s));
      assertEquals(v2, now.path("version").asText());
      assertEquals("done", now.path("doc").path("tasks").path("t1").path("status").asText());
    }
  }

  @Test
  void retryWithTheSameIdempotencyKey_isAppliedOnce() throws Exception {
    String s = newSession();
    try (McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      String v0 = agent.ok("read_session", Map.of("session", s)).path("version").asText();
      Map<String, Object> args =
          Map.of(
              "session",
              s,
              "basedOn",
              v0,
              "idempotencyKey",
              "plan-1",
              "ops",
              List.of(Map.of("op", "insert", "path", "plan", "after", "", "value", "collect")));
      // "after": "" is not an element id: a clear refusal, and nothing is remembered for the key
      McpAgent.Result bad = agent.call("apply_ops", args);
      assertTrue(bad.error());
      assertTrue(
          Set.of("bad_frame", "invalid_op", "path_not_found")
              .contains(bad.body().path("code").asText()),
          bad.body().toString());

      Map<String, Object> good = new java.util.HashMap<>(args);
      Map<String, Object> insert = new java.util.HashMap<>();
      insert.put("op", "insert");
      insert.put("path", "plan");
      insert.put("after", null); // at the head
      insert.put("value", "collect");
      good.put("ops", List.of(insert));
      JsonNode first = agent.ok("apply_ops", good);
      JsonNode again = agent.ok("apply_ops", good);
      assertFalse(first.path("duplicate").asBoolean());
      assertTrue(again.path("duplicate").asBoolean());
      assertEquals(first.path("version").asText(), again.path("version").asText());
      assertEquals(first.path("results"), again.path("results"));
      JsonNode doc = agent.ok("read_session", Map.of("session", s, "view", "plain"));
      assertEquals(1, doc.path("doc").path("plan").size());
      assertEquals(first.path("version").asText(), doc.path("version").asText());
    }
  }

  @Test
  void tokensBoundEveryCall_otherSessionAndViewerAreRefused_noTokenIs401() throws Exception {
    String mine = newSession();
    String other = newSession();
    try (McpAgent agent = new McpAgent(node.base(), node.agent("planner", mine));
        McpAgent viewer =
            new McpAgent(node.base(), node.token("watcher", ActorKind.AGENT, mine, Role.VIEWER))) {
      for (String tool : List.of("read_session", "list_conflicts")) {
        McpAgent.Result r = agent.call(tool, Map.of("session", other));
        assertTrue(r.error(), tool);
        assertEquals("forbidden", r.body().path("code").asText());
        assertTrue(r.body().path("message").asText().contains(other));
      }
      McpAgent.Result w =
          agent.call("apply_ops", Map.of("session", other, "basedOn", "", "ops", setStatus("x")));
      assertEquals("forbidden", w.body().path("code").asText());
      assertFalse(viewer.call("read_session", Map.of("session", mine)).error());
      McpAgent.Result vw =
          viewer.call("claim_task", Map.of("session", mine, "task", "t1", "basedOn", ""));
      assertTrue(vw.error());
      assertEquals("forbidden", vw.body().path("code").asText());
    }
    Rest.Response none =
        Rest.post(
            node.base() + "/v1/mcp",
            null,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    assertEquals(401, none.status());
    assertEquals("unauthorized", none.body().path("code").asText());
    Rest.Response forged =
        Rest.post(
            node.base() + "/v1/mcp",
            Jwt.hs256(
                "another-secret-another-secret-another-secret",
                Jwt.claims("x", "agent", mine, "editor", 4102444800L)),
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}");
    assertEquals(401, forged.status());
  }

  @Test
  void badArguments_giveClearToolErrors() throws Exception {
    String s = newSession();
    try (McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      McpAgent.Result noBase = agent.call("apply_ops", Map.of("session", s, "ops", setStatus("x")));
      assertTrue(noBase.error());
      assertEquals("bad_frame", noBase.body().path("code").asText());
      assertTrue(
          noBase.body().path("message").asText().contains("basedOn"), noBase.body().toString());

      McpAgent.Result noSession = agent.call("read_session", Map.of());
      assertEquals("bad_frame", noSession.body().path("code").asText());
      assertTrue(noSession.body().path("message").asText().contains("session"));

      McpAgent.Result unknownOp =
          agent.call(
              "apply_ops",
              Map.of(
                  "session",
                  s,
                  "basedOn",
                  "",
                  "ops",
                  List.of(Map.of("op", "explode", "path", "x"))));
      assertEquals("unknown_type", unknownOp.body().path("code").asText());

      McpAgent.Result badWait =
          agent.call("wait_for_changes", Map.of("session", s, "since", "", "timeoutSeconds", 0));
      assertEquals("bad_frame", badWait.body().path("code").asText());
      assertTrue(badWait.body().path("message").asText().contains("timeoutSeconds"));

      McpAgent.Result badVersion =
          agent.call("changes_since", Map.of("session", s, "since", "not a version"));
      assertEquals("bad_frame", badVersion.body().path("code").asText());

      McpAgent.Result noPath =
          agent.call(
              "apply_ops",
              Map.of(
                  "session",
                  s,
                  "basedOn",
                  agent.ok("read_session", Map.of("session", s)).path("version").asText(),
                  "ops",
                  List.of(Map.of("op", "set", "path", "nowhere/deep/field", "value", 1))));
      assertEquals("path_not_found", noPath.body().path("code").asText());
    }
  }

  @Test
  void waitForChanges_returnsTheFirstChangeTouchingItsPaths_notOthers() throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      String v1 =
          alice.write(alice.welcome().path("version").asText(), TASK).path("version").asText();
      // a change elsewhere does not end the wait
      alice.write(
          v1,
          "[{\"op\":\"set\",\"path\":\"tasks/t2\",\"value\":{\"title\":\"Other\",\"status\":\"todo\"}}]");
      CompletableFuture<JsonNode> waited =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return agent.ok(
                      "wait_for_changes",
                      Map.of(
                          "session",
                          s,
                          "since",
                          v1,
                          "paths",
                          List.of("tasks/t1"),
                          "timeoutSeconds",
                          60));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      alice.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"}]");
      JsonNode r = waited.get(30, TimeUnit.SECONDS);
      assertTrue(r.path("changed").asBoolean());
      assertEquals(1, r.path("changes").size(), r.toString());
      JsonNode c = r.path("changes").get(0);
      assertEquals("tasks/t1/status", c.path("path").asText());
      assertEquals("doing", c.path("value").asText());
      assertEquals("alice", c.path("author").path("id").asText());
      assertEquals("human", c.path("author").path("kind").asText());

      // nothing touches tasks/t3: the wait ends empty-handed
      JsonNode quiet =
          agent.ok(
              "wait_for_changes",
              Map.of(
                  "session",
                  s,
                  "since",
                  r.path("version").asText(),
                  "paths",
                  List.of("tasks/t3"),
                  "timeoutSeconds",
                  1));
      assertFalse(quiet.path("changed").asBoolean());
      assertEquals(0, quiet.path("changes").size());
    }
  }

  @Test
  void changesSinceNamesAuthors_claimsHaveLeases_sessionIsAResource() throws Exception {
    String s = newSession();
    try (WsClient alice = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        McpAgent agent = new McpAgent(node.base(), node.agent("planner", s))) {
      String v0 = alice.welcome().path("version").asText();
      String v1 = alice.write(v0, TASK).path("version").asText();
      JsonNode since = agent.ok("changes_since", Map.of("session", s, "since", v0));
      assertEquals(v1, since.path("version").asText());
      assertEquals("tasks/t1", since.path("changes").get(0).path("path").asText());
      assertEquals("alice", since.path("changes").get(0).path("author").path("id").asText());

      JsonNode claimed =
          agent.ok(
              "claim_task", Map.of("session", s, "task", "t1", "basedOn", v1, "leaseMs", 60000));
      JsonNode claim =
          alice.await(
              f ->
                  f.path("type").asText().equals("change")
                      && f.path("author").path("id").asText().equals("planner"));
      assertEquals("claim", claim.path("ops").get(0).path("op").asText());
      JsonNode doc = agent.ok("read_session", Map.of("session", s));
      assertEquals(
          "planner", doc.path("doc").path("tasks").path("t1").path("claim").path("actor").asText());
      agent.ok(
          "release_task",
          Map.of("session", s, "task", "t1", "basedOn", claimed.path("version").asText()));
      doc = agent.ok("read_session", Map.of("session", s));
      assertTrue(doc.path("doc").path("tasks").path("t1").path("claim").isNull());

      McpSchema.ReadResourceResult res =
          agent.client.readResource(new McpSchema.ReadResourceRequest("chorus://sessions/" + s));
      JsonNode body =
          Rest.M.readTree(((McpSchema.TextResourceContents) res.contents().get(0)).text());
      assertEquals(doc.path("version").asText(), body.path("version").asText());
    }
  }

  @Test
  void subscribedSessionResource_isNotifiedOfChanges_withItsNewContents() throws Exception {
    String s = newSession();
    String uri = "chorus://sessions/" + s;
    List<String> versions = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (McpAgent agent =
        new McpAgent(
            node.base(),
            node.agent("planner", s),
            contents -> {
              for (McpSchema.ResourceContents c : contents) {
                try {
                  versions.add(
                      Rest.M.readTree(((McpSchema.TextResourceContents) c).text())
                          .path("version")
                          .asText());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            })) {
      agent.client.subscribeResource(new McpSchema.SubscribeRequest(uri));
      Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
      // the client opens its listening stream after initialising, on its own: write until a
      // notification arrives (each write is a real change, each notification names the doc's)
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(15))
          .until(
              () -> {
                written.add(
                    node.replaceTasks(s, node.human("alice", s), 1, "n" + written.size()).get(0));
                return !versions.isEmpty();
              });
      assertTrue(written.contains(versions.get(0)), versions + " from " + written);
    }
  }
}
