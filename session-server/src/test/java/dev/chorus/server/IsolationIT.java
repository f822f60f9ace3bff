package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.http.UpgradeRejectedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Tenant isolation under load (issue 7): many sessions, each with its own tokens and several
 * concurrent writers (websocket and REST), every value tagged with its session. No frame received
 * on a connection ever carries another session's tag, every session ends with exactly its own
 * writes, and every cross-session attempt (websocket upgrade, every REST route) is refused.
 */
class IsolationIT extends ItBase {
  private static final int SESSIONS = 12;
  private static final int WRITERS = 3;
  private static final int BATCHES = 15;
  private static final Pattern TAG = Pattern.compile("<T(\\d+)>");

  private static String tag(int i) {
    return "<T" + i + ">";
  }

  @Test
  void noFrameCrossesSessions_andEveryCrossSessionAttemptIsRefused() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      ids.add(newSession());
    }
    List<List<WsClient>> conns = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int i = 0; i < SESSIONS; i++) {
        List<WsClient> cs = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          WsClient c =
              WsClient.joined(
                  clients, node.port(), ids.get(i), node.agent("a" + i + "-" + w, ids.get(i)));
          assertEquals(ids.get(i), c.welcome().path("session").asText());
          cs.add(c);
        }
        conns.add(cs);
      }
      // concurrent writers: websocket batches and REST posts, all sessions at once
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < SESSIONS; i++) {
        for (int w = 0; w < WRITERS; w++) {
          final int si = i;
          final int wi = w;
          work.add(
              pool.submit(
                  () -> {
                    WsClient c = conns.get(si).get(wi);
                    String v = c.welcome().path("version").asText();
                    for (int b = 0; b < BATCHES; b++) {
                      v =
                          c.write(
                                  v,
                                  "[{\"op\":\"set\",\"path\":\"tasks/w"
                                      + wi
                                      + "-"
                                      + b
                                      + "\",\"value\":{\"title\":\""
                                      + tag(si)
                                      + " ws "
                                      + wi
                                      + "/"
                                      + b
                                      + "\"}}]")
                              .path("version")
                              .asText();
                    }
                    return null;
                  }));
        }
        final int si = i;
        work.add(
            pool.submit(
                () -> {
                  String s = ids.get(si);
                  String t = node.human("rest" + si, s);
                  for (int b = 0; b < BATCHES; b++) {
                    Rest.Response r =
                        Rest.post(
                            url(s) + "/ops",
                            t,
                            "{\"batchId\":\"rest-"
                                + b
                                + "\",\"ops\":[{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,"
                                + "\"value\":\""
                                + tag(si)
                                + " rest "
                                + b
                                + "\"}]}");
                    assertEquals(200, r.status(), String.valueOf(r.body()));
                  }
                  return null;
                }));
      }
      for (Future<?> f : work) {
        f.get(120, TimeUnit.SECONDS);
      }

      // every connection: saw every change of its own session, and only of its own session
      int expectedChanges = WRITERS * BATCHES + BATCHES; // all writes of the session...
      for (int i = 0; i < SESSIONS; i++) {
        for (WsClient c : conns.get(i)) {
          int own = BATCHES; // ...minus its own batches, which come as acks
          c.await(f -> c.ofType("change").size() + c.ofType("ack").size() >= expectedChanges);
          assertEquals(expectedChanges - own, c.ofType("change").size());
          for (JsonNode f : c.frames) {
            Matcher m = TAG.matcher(f.toString());
            while (m.find()) {
              assertEquals(
                  Integer.toString(i), m.group(1), "session " + i + " received a frame of " + f);
            }
            if (f.has("session")) {
              assertEquals(ids.get(i), f.path("session").asText());
            }
          }
          assertTrue(c.ofType("error").isEmpty(), c.ofType("error").toString());
        }
        // the stored document holds exactly its own writes
        JsonNode doc =
            Rest.get(url(ids.get(i)), node.human("reader", ids.get(i))).body().path("doc");
        assertEquals(BATCHES, doc.path("plan").size());
        assertEquals(WRITERS * BATCHES, doc.path("tasks").size());
        Matcher m = TAG.matcher(doc.toString());
        while (m.find()) {
          assertEquals(Integer.toString(i), m.group(1));
        }
      }

      // cross-session attempts: a token of session i on session i+1, every route and the websocket
      for (int i = 0; i < SESSIONS; i++) {
        String mine = ids.get(i);
        String theirs = ids.get((i + 1) % SESSIONS);
        String token = node.agent("a" + i + "-0", mine);
        UpgradeRejectedException e =
            assertThrows(
                UpgradeRejectedException.class,
                () -> WsClient.connect(clients, node.port(), theirs, token));
        assertEquals(403, e.getStatus());
        for (Rest.Response r :
            List.of(
                Rest.get(url(theirs), token),
                Rest.get(url(theirs) + "?view=plain", token),
                Rest.get(url(theirs) + "/conflicts", token),
                Rest.get(url(theirs) + "/history", token),
                Rest.post(
                    url(theirs) + "/ops",
                    token,
                    "{\"batchId\":\"x\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/x\",\"value\":{\"title\":\"x\"}}]}"),
                Rest.post(
                    url(theirs) + "/resolve",
                    token,
                    "{\"batchId\":\"y\",\"path\":\"tasks/w0-0/title\",\"value\":\"x\"}"))) {
          assertEquals(403, r.status(), String.valueOf(r.body()));
          assertEquals("forbidden", r.body().path("code").asText());
          assertTrue(!TAG.matcher(r.body().toString()).find(), r.body().toString());
        }
      }
      // and nothing of those attempts landed anywhere
      for (int i = 0; i < SESSIONS; i++) {
        JsonNode doc =
            Rest.get(url(ids.get(i)), node.human("reader", ids.get(i))).body().path("doc");
        assertEquals(WRITERS * BATCHES, doc.path("tasks").size());
      }
    } finally {
      pool.shutdownNow();
      for (List<WsClient> cs : conns) {
        for (WsClient c : cs) {
          c.close();
        }
      }
    }
  }
}
