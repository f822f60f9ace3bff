package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The single-node rows of shared SCENARIOS.md (4–10, 13), each over the websocket and over REST.
 * (1–3: DualWriterRaceIT; 11: PreconditionIT; 12: IdempotencyIT; 15: RobustnessIT, AuthIT.)
 */
class ScenariosIT extends ItBase {

  /** One writer over one transport. */
  interface Writer extends AutoCloseable {
    /** The ack / 200 body, or the error. */
    JsonNode write(String basedOn, String opsJson) throws Exception;

    @Override
    default void close() {}
  }

  private static Writer writer(String transport, String session, String token) throws Exception {
    if (transport.equals("ws")) {
      WsClient c = WsClient.joined(clients, node.port(), session, token);
      return new Writer() {
        @Override
        public JsonNode write(String basedOn, String opsJson) {
          return c.reply(c.batch(basedOn, false, opsJson));
        }

        @Override
        public void close() {
          c.close();
        }
      };
    }
    return (basedOn, opsJson) -> {
      Rest.Response r =
          Rest.post(
              url(session) + "/ops",
              token,
              "{\"batchId\":\""
                  + WsClient.newBatchId()
                  + "\",\"basedOn\":\""
                  + basedOn
                  + "\",\"ops\":"
                  + opsJson
                  + "}");
      return r.body();
    };
  }

  private static JsonNode ok(JsonNode r) {
    assertTrue(r.has("version") && !r.has("code"), "expected success: " + r);
    return r;
  }

  private static JsonNode read(String s) throws Exception {
    return Rest.get(url(s), node.human("reader", s)).body();
  }

  private static String version(String s) throws Exception {
    return read(s).path("version").asText();
  }

  private static JsonNode plain(String s) throws Exception {
    return Rest.get(url(s) + "?view=plain", node.human("reader", s)).body().path("doc");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s4_differentFieldsOfOneTask_bothApplied_noConflict(String t) throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      String v1 =
          ok(a.write(
                  version(s),
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]"))
              .path("version")
              .asText();
      ok(a.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/status\",\"value\":\"doing\"}]"));
      ok(b.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"T2\"}]"));
      JsonNode d = read(s);
      assertEquals("doing", d.path("doc").path("tasks").path("t1").path("status").asText());
      assertEquals("T2", d.path("doc").path("tasks").path("t1").path("title").asText());
      assertEquals(0, d.path("conflicts").size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s5_deleteVsConcurrentEdit_editWins_conflictNamesBoth_deleteFromNewerViewResolves(String t)
      throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      String v1 =
          ok(a.write(
                  version(s),
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\"}}]"))
              .path("version")
              .asText();
      ok(a.write(v1, "[{\"op\":\"delete\",\"path\":\"tasks/t1\"}]"));
      ok(b.write(v1, "[{\"op\":\"set\",\"path\":\"tasks/t1/title\",\"value\":\"kept\"}]"));
      JsonNode d = read(s);
      assertEquals("kept", d.path("doc").path("tasks").path("t1").path("title").asText());
      JsonNode c = d.path("conflicts").get(0);
      assertNotNull(c, d.toString());
      assertEquals("delete_vs_edit", c.path("kind").asText());
      Set<String> authors = new java.util.HashSet<>();
      c.path("intents").forEach(i -> authors.add(i.path("author").path("id").asText()));
      assertEquals(Set.of("alice", "planner"), authors);
      // deleting again from a view that includes the edit removes it and resolves the conflict
      ok(a.write(d.path("version").asText(), "[{\"op\":\"delete\",\"path\":\"tasks/t1\"}]"));
      JsonNode after = read(s);
      assertTrue(after.path("doc").path("tasks").path("t1").isMissingNode(), after.toString());
      assertEquals(0, after.path("conflicts").size());
    }
  }

  /** Column element ids by column "id" field. */
  private static String column(JsonNode doc, String name) {
    for (JsonNode col : doc.path("board").path("columns")) {
      if (col.path("value").path("id").asText().equals(name)) {
        return col.path("id").asText();
      }
    }
    throw new AssertionError("no column " + name + " in " + doc);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s6_moveVsMove_cardExistsOnce_deterministicColumn_conflictListsBoth(String t)
      throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      JsonNode d0 = read(s);
      String todo = column(d0.path("doc"), "todo");
      String doing = column(d0.path("doc"), "doing");
      String done = column(d0.path("doc"), "done");
      JsonNode ack =
          ok(
              a.write(
                  d0.path("version").asText(),
                  "[{\"op\":\"insert\",\"path\":\"board/columns/"
                      + todo
                      + "/cards\",\"after\":null,\"value\":{\"title\":\"c1\"}}]"));
      String c1 = ack.path("results").get(0).path("id").asText();
      String v1 = ack.path("version").asText();
      String card = "board/columns/" + todo + "/cards/" + c1;
      ok(
          a.write(
              v1,
              "[{\"op\":\"move\",\"path\":\""
                  + card
                  + "\",\"to\":\"board/columns/"
                  + doing
                  + "/cards\",\"after\":null}]"));
      ok(
          b.write(
              v1,
              "[{\"op\":\"move\",\"path\":\""
                  + card
                  + "\",\"to\":\"board/columns/"
                  + done
                  + "/cards\",\"after\":null}]"));
      JsonNode d = read(s);
      int copies = 0;
      for (JsonNode col : d.path("doc").path("board").path("columns")) {
        for (JsonNode c : col.path("value").path("cards")) {
          if (c.path("id").asText().equals(c1)) {
            copies++;
          }
        }
      }
      assertEquals(1, copies, d.toString());
      JsonNode c = d.path("conflicts").get(0);
      assertNotNull(c, d.toString());
      assertEquals("move_vs_move", c.path("kind").asText());
      assertEquals(2, c.path("intents").size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s7_moveVsEditOfTheCard_noConflict_cardMovedWithNewTitle(String t) throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      JsonNode d0 = read(s);
      String todo = column(d0.path("doc"), "todo");
      String done = column(d0.path("doc"), "done");
      JsonNode ack =
          ok(
              a.write(
                  d0.path("version").asText(),
                  "[{\"op\":\"insert\",\"path\":\"board/columns/"
                      + todo
                      + "/cards\",\"after\":null,\"value\":{\"title\":\"c1\"}}]"));
      String c1 = ack.path("results").get(0).path("id").asText();
      String v1 = ack.path("version").asText();
      String card = "board/columns/" + todo + "/cards/" + c1;
      ok(
          a.write(
              v1,
              "[{\"op\":\"move\",\"path\":\""
                  + card
                  + "\",\"to\":\"board/columns/"
                  + done
                  + "/cards\",\"after\":null}]"));
      ok(b.write(v1, "[{\"op\":\"set\",\"path\":\"" + card + "/title\",\"value\":\"renamed\"}]"));
      JsonNode d = read(s);
      JsonNode doneCards = null;
      for (JsonNode col : d.path("doc").path("board").path("columns")) {
        if (col.path("id").asText().equals(done)) {
          doneCards = col.path("value").path("cards");
        }
      }
      assertEquals(1, doneCards.size(), d.toString());
      assertEquals(c1, doneCards.get(0).path("id").asText());
      assertEquals("renamed", doneCards.get(0).path("value").path("title").asText());
      assertEquals(0, d.path("conflicts").size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s8_concurrentInsertsAfterTheSameStep_doNotInterleave(String t) throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      JsonNode ack =
          ok(
              a.write(
                  version(s),
                  "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"s1\"},{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"$0\",\"value\":\"s3\"}]"));
      String s1 = ack.path("results").get(0).path("id").asText();
      String v1 = ack.path("version").asText();
      ok(
          a.write(
              v1,
              "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":\""
                  + s1
                  + "\",\"value\":\"s2a\"},{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"$0\",\"value\":\"s2b\"}]"));
      ok(
          b.write(
              v1,
              "[{\"op\":\"insert\",\"path\":\"plan\",\"after\":\"" + s1 + "\",\"value\":\"x\"}]"));
      List<String> plan = new ArrayList<>();
      plain(s).path("plan").forEach(n -> plan.add(n.asText()));
      assertTrue(
          plan.equals(List.of("s1", "s2a", "s2b", "x", "s3"))
              || plan.equals(List.of("s1", "x", "s2a", "s2b", "s3")),
          plan.toString());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s9_concurrentTypingAtTheSamePlace_neverInterleaves(String t) throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      String v1 =
          ok(a.write(
                  version(s),
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"notes\":{\"$text\":\"\"}}}]"))
              .path("version")
              .asText();
      ok(
          a.write(
              v1,
              "[{\"op\":\"splice\",\"path\":\"tasks/t1/notes\",\"index\":0,\"delete\":0,\"insert\":\"hello\"}]"));
      ok(
          b.write(
              v1,
              "[{\"op\":\"splice\",\"path\":\"tasks/t1/notes\",\"index\":0,\"delete\":0,\"insert\":\"world\"}]"));
      String text = plain(s).path("tasks").path("t1").path("notes").asText();
      assertTrue(text.equals("helloworld") || text.equals("worldhello"), text);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s10_concurrentCounterIncrements_add_noConflict(String t) throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s))) {
      String v1 =
          ok(a.write(
                  version(s), "[{\"op\":\"set\",\"path\":\"votes\",\"value\":{\"$counter\":0}}]"))
              .path("version")
              .asText();
      ok(a.write(v1, "[{\"op\":\"increment\",\"path\":\"votes\",\"by\":1}]"));
      ok(b.write(v1, "[{\"op\":\"increment\",\"path\":\"votes\",\"by\":2}]"));
      JsonNode d = read(s);
      assertEquals(3, d.path("doc").path("votes").asLong());
      assertEquals(0, d.path("conflicts").size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ws", "rest"})
  void s13_twoActorsClaimATask_oneHolder_claimConflict_leaseExpiryReleasesIt(String t)
      throws Exception {
    String s = newSession();
    try (Writer a = writer(t, s, node.human("alice", s));
        Writer b = writer(t, s, node.agent("planner", s));
        WsClient watcher = WsClient.joined(clients, node.port(), s, node.human("watcher", s))) {
      String v1 =
          ok(a.write(
                  version(s),
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\",\"claim\":null}}]"))
              .path("version")
              .asText();
      ok(a.write(v1, "[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":1500}]"));
      ok(b.write(v1, "[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":1500}]"));
      JsonNode d = read(s);
      String holder = d.path("doc").path("tasks").path("t1").path("claim").path("actor").asText();
      assertTrue(Set.of("alice", "planner").contains(holder), d.toString());
      JsonNode c = d.path("conflicts").get(0);
      assertEquals("claim", c.path("kind").asText(), d.toString());
      JsonNode opened = watcher.await(f -> f.path("type").asText().equals("conflict.opened"));
      assertEquals("claim", opened.path("conflict").path("kind").asText());
      // the lease runs out: the server releases the claim, and says so
      JsonNode release =
          watcher.await(
              f ->
                  f.path("type").asText().equals("change")
                      && f.path("author").path("id").asText().equals("chorus-server"));
      assertEquals("release", release.path("ops").get(0).path("op").asText());
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> read(s).path("doc").path("tasks").path("t1").path("claim").isNull());
    }
  }

  @org.junit.jupiter.api.Test
  void s13_theHoldersDisconnect_releasesItsClaim_withAnEvent() throws Exception {
    String s = newSession();
    try (WsClient watcher = WsClient.joined(clients, node.port(), s, node.human("watcher", s))) {
      WsClient holder = WsClient.joined(clients, node.port(), s, node.agent("planner", s));
      String v = holder.welcome().path("version").asText();
      v =
          holder
              .write(
                  v,
                  "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"claim\":null}}]")
              .path("version")
              .asText();
      holder.write(v, "[{\"op\":\"claim\",\"path\":\"tasks/t1\",\"leaseMs\":600000}]");
      assertEquals(
          "planner",
          read(s).path("doc").path("tasks").path("t1").path("claim").path("actor").asText());
      holder.close();
      JsonNode release =
          watcher.await(
              f ->
                  f.path("type").asText().equals("change")
                      && f.path("author").path("id").asText().equals("chorus-server"));
      assertEquals("tasks/t1", release.path("ops").get(0).path("path").asText());
      assertTrue(read(s).path("doc").path("tasks").path("t1").path("claim").isNull());
    }
  }
}
