package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.ErrorCode;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Protocol fuzzing (issue 7, hardening): a seeded generator of malformed and hostile frames — bad
 * JSON, wrong types, huge strings, deep nesting, unknown frame types and ops, paths and ids of
 * another session, out-of-range splices, replayed batch ids with other content, floods, binary
 * frames — sent over a live websocket. For every frame: an error with a stable code (never {@code
 * internal}), or a correct handling; the connection and the server stay up; a second client of the
 * same session sees only changes of acked batches and no error; a client of another session sees
 * nothing; refused frames leave the session's version and state hash unchanged.
 *
 * <p>{@code -Dfuzz.frames=N} (default 300) and {@code -Dfuzz.seed=S} (default: random, printed on
 * failure and at the end).
 */
class ProtocolFuzzIT extends ItBase {
  private static final Set<String> STABLE =
      Arrays.stream(ErrorCode.values()).map(ErrorCode::wireName).collect(Collectors.toSet());
  private static final Set<String> BAD = Set.of("bad_frame");

  private final Map<String, Integer> counts = new TreeMap<>();
  private final Map<String, String> acked = new LinkedHashMap<>(); // batchId -> frame text
  private final Set<String> ackedIds = new HashSet<>();
  private final Set<String> changed = new HashSet<>();
  private final AtomicInteger nonces = new AtomicInteger();
  private Random rnd;
  private String s;
  private String version;
  private String hash;
  private String planEl;
  private int batchSeq;

  /** What a frame should get: null = anything stable (error or ack). */
  private record Expect(String category, Set<String> codes, boolean mayAck) {}

  @Test
  void hostileFrames_getStableErrors_andNothingElseMoves() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    int frames = Integer.getInteger("fuzz.frames", 300);
    rnd = new Random(seed);
    s = newSession();
    String victim = newSession();
    String reader = node.human("reader", s);
    try (WsClient c = WsClient.joined(clients, node.port(), s, node.agent("fuzzer", s));
        WsClient other = WsClient.joined(clients, node.port(), s, node.human("alice", s));
        WsClient stranger =
            WsClient.joined(clients, node.port(), victim, node.human("eve", victim))) {
      JsonNode seeded =
          c.write(
              c.welcome().path("version").asText(),
              "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":{\"title\":\"T\",\"status\":\"todo\","
                  + "\"description\":{\"$text\":\"hello world\"},\"n\":{\"$counter\":0}}},"
                  + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"step\"}]");
      planEl = seeded.path("results").path(1).path("id").asText();
      ackedIds.add(seeded.path("batchId").asText());
      refresh(reader);
      Rest.Response v0 = Rest.get(url(victim), node.human("eve", victim));
      String victimHash = v0.body().path("stateHash").asText();
      String victimVersion = v0.body().path("version").asText();
      int strangerFrames = stranger.frames.size();

      int sent = 0;
      int i = 0;
      while (sent < frames) {
        i++;
        String text = null;
        try {
          if (rnd.nextInt(40) == 0) {
            flood(c);
            sent++;
          } else {
            Expect[] e = new Expect[1];
            text = generate(e, victim);
            if (text == null) {
              binaryFrame(c);
            } else {
              oneFrame(c, text, e[0], reader);
            }
            sent++;
          }
          if (i % 20 == 0) {
            checkpoint(c, other, stranger, strangerFrames, victim, victimVersion, victimHash);
          }
        } catch (AssertionError | RuntimeException ex) {
          throw new AssertionError(
              "fuzz failed: seed="
                  + seed
                  + " (-Dfuzz.seed="
                  + seed
                  + ") step "
                  + i
                  + " frame "
                  + abbreviate(text)
                  + ": "
                  + ex.getMessage(),
              ex);
        }
      }
      try {
        checkpoint(c, other, stranger, strangerFrames, victim, victimVersion, victimHash);
      } catch (AssertionError ex) {
        throw new AssertionError(
            "fuzz failed at the end: seed=" + seed + ": " + ex.getMessage(), ex);
      }
      System.out.println("ProtocolFuzzIT seed=" + seed + " frames=" + sent + " " + counts);
    }
  }

  /**
   * The same generator against {@code POST /ops} and {@code /resolve}: every refused body gets a
   * 4xx with a stable code (never a 5xx), and leaves the version and state hash unchanged.
   */
  @Test
  void hostileRestBodies_getStableErrors_andNothingMoves() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    int bodies = Math.max(50, Integer.getInteger("fuzz.frames", 300) / 3);
    rnd = new Random(seed);
    s = newSession();
    String victim = newSession();
    String writer = node.agent("rest-fuzzer", s);
    String reader = node.human("reader", s);
    Rest.Response seeded =
        Rest.post(
            url(s) + "/ops",
            writer,
            "{\"batchId\":\"seed\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":"
                + "{\"title\":\"T\",\"status\":\"todo\",\"description\":{\"$text\":\"hello\"},"
                + "\"n\":{\"$counter\":0}}},"
                + "{\"op\":\"insert\",\"path\":\"plan\",\"after\":null,\"value\":\"step\"}]}");
    assertEquals(200, seeded.status(), String.valueOf(seeded.body()));
    planEl = seeded.body().path("results").path(1).path("id").asText();
    refresh(reader);
    Rest.Response v0 = Rest.get(url(victim), node.human("eve", victim));
    for (int i = 0; i < bodies; i++) {
      Expect[] e = new Expect[1];
      String text = generate(e, victim);
      if (text == null || e[0].category().equals("hello-again") || text.length() > 300_000) {
        continue;
      }
      String route = text.contains("\"type\":\"resolve\"") ? "/resolve" : "/ops";
      String[] headers =
          rnd.nextInt(4) == 0 ? new String[] {"Idempotency-Key", newId()} : new String[0];
      Rest.Response r;
      try {
        r = Rest.post(url(s) + route, writer, text, headers);
      } catch (java.io.IOException io) {
        throw new AssertionError("seed=" + seed + ": connection failed on " + abbreviate(text), io);
      }
      String where = "seed=" + seed + " (-Dfuzz.seed) body " + abbreviate(text) + " -> " + r.body();
      assertTrue(r.status() < 500, where);
      if (r.status() == 200) {
        refresh(reader);
        continue;
      }
      String code = r.body() == null ? "" : r.body().path("code").asText();
      assertTrue(STABLE.contains(code) && !code.equals("internal"), where);
      assertEquals(
          ErrorCode.valueOf(code.toUpperCase(java.util.Locale.ROOT)).httpStatus(),
          r.status(),
          where);
      Rest.Response now = Rest.get(url(s), reader);
      assertEquals(version, now.body().path("version").asText(), where);
      assertEquals(hash, now.body().path("stateHash").asText(), where);
      counts.merge("rest-" + e[0].category(), 1, Integer::sum);
    }
    Rest.Response v1 = Rest.get(url(victim), node.human("eve", victim));
    assertEquals(v0.body().path("stateHash"), v1.body().path("stateHash"));
    assertEquals(200, Rest.get(node.base() + "/health", null).status());
    System.out.println("ProtocolFuzzIT REST seed=" + seed + " " + counts);
  }

  // ---------------------------------------------------------------- driving

  private void oneFrame(WsClient c, String text, Expect e, String reader) throws Exception {
    counts.merge(e.category(), 1, Integer::sum);
    int before = c.frames.size();
    c.sendText(text);
    sync(c);
    List<JsonNode> replies = replies(c, before);
    String batchId = batchIdOf(text);
    if (replies.isEmpty() && batchId != null) {
      // the answer to a parsed batch comes from the session's context, possibly after the pong
      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !replies(c, before).isEmpty());
      replies = replies(c, before);
    }
    if (replies.isEmpty()) {
      // only a well-formed presence (or ping) may go unanswered
      assertTrue(e.codes() == null || e.mayAck(), "no answer to a frame expecting " + e.codes());
      return;
    }
    boolean ackedOne = false;
    for (JsonNode r : replies) {
      String type = r.path("type").asText();
      if (type.equals("ack")) {
        assertTrue(e.mayAck(), "acked a frame that must be refused: " + r);
        ackedIds.add(r.path("batchId").asText());
        if (!r.path("duplicate").asBoolean()) {
          acked.put(r.path("batchId").asText(), text);
          if (!r.path("version").asText().equals(version)) {
            changed.add(r.path("batchId").asText()); // (an empty splice makes no change)
          }
        }
        ackedOne = true;
      } else if (type.equals("error")) {
        checkError(r, e);
      }
    }
    if (ackedOne) {
      refresh(reader);
    }
  }

  private int flood(WsClient c) {
    int n = 20 + rnd.nextInt(60);
    int before = c.frames.size();
    int errorsExpected = 0;
    for (int k = 0; k < n; k++) {
      switch (rnd.nextInt(4)) {
        case 0 -> {
          c.ws.writeTextMessage("{\"type\":\"ping\",\"nonce\":\"flood-" + k + "\"}");
        }
        case 1 -> {
          c.ws.writeTextMessage(garbage());
          errorsExpected++;
        }
        case 2 -> {
          c.ws.writeTextMessage("{\"type\":\"" + word() + "-x\"}");
          errorsExpected++;
        }
        default -> {
          c.ws.writeTextMessage("[" + rnd.nextInt() + "]");
          errorsExpected++;
        }
      }
    }
    sync(c);
    List<JsonNode> got = replies(c, before);
    long errors = got.stream().filter(f -> f.path("type").asText().equals("error")).count();
    assertEquals(errorsExpected, errors, "one error per bad frame of a flood of " + n);
    for (JsonNode f : got) {
      if (f.path("type").asText().equals("error")) {
        assertTrue(
            Set.of("bad_frame", "unknown_type").contains(f.path("code").asText()), f.toString());
      }
    }
    counts.merge("flood", n, Integer::sum);
    return n;
  }

  private void binaryFrame(WsClient c) {
    counts.merge("binary", 1, Integer::sum);
    int before = c.frames.size();
    byte[] b = new byte[1 + rnd.nextInt(64)];
    rnd.nextBytes(b);
    c.ws.writeBinaryMessage(Buffer.buffer(b)).toCompletionStage().toCompletableFuture().join();
    sync(c);
    List<JsonNode> r = replies(c, before);
    assertEquals(1, r.size(), "one answer to a binary frame: " + r);
    assertEquals("bad_frame", r.get(0).path("code").asText());
  }

  /** Sends a ping with a fresh nonce and waits for its pong: earlier frames were handled. */
  private void sync(WsClient c) {
    String nonce = "sync-" + nonces.incrementAndGet();
    c.ws.writeTextMessage("{\"type\":\"ping\",\"nonce\":\"" + nonce + "\"}");
    c.await(f -> f.path("type").asText().equals("pong") && f.path("nonce").asText().equals(nonce));
  }

  /** Frames received since index {@code from}, without pongs. */
  private static List<JsonNode> replies(WsClient c, int from) {
    List<JsonNode> out = new ArrayList<>();
    List<JsonNode> all = c.frames;
    for (int k = from; k < all.size(); k++) {
      String t = all.get(k).path("type").asText();
      if (!t.equals("pong")
          && !t.equals("presence")
          && !t.equals("change")
          && !t.startsWith("conflict.")) {
        out.add(all.get(k));
      }
    }
    return out;
  }

  private static void checkError(JsonNode r, Expect e) {
    String code = r.path("code").asText();
    assertTrue(STABLE.contains(code), "unstable error code: " + r);
    assertTrue(!code.equals("internal"), "internal error: " + r);
    assertTrue(r.path("message").isTextual(), "error without message: " + r);
    assertTrue(!r.path("fatal").asBoolean(), "fatal error: " + r);
    if (e.codes() != null) {
      assertTrue(e.codes().contains(code), e.category() + " expects " + e.codes() + ", got " + r);
    }
  }

  private void refresh(String reader) throws Exception {
    Rest.Response r = Rest.get(url(s), reader);
    assertEquals(200, r.status());
    version = r.body().path("version").asText();
    hash = r.body().path("stateHash").asText();
  }

  private void checkpoint(
      WsClient c,
      WsClient other,
      WsClient stranger,
      int strangerFrames,
      String victim,
      String victimVersion,
      String victimHash)
      throws Exception {
    Rest.Response now = Rest.get(url(s), node.human("reader", s));
    assertEquals(version, now.body().path("version").asText(), "version moved by refused frames");
    assertEquals(hash, now.body().path("stateHash").asText(), "state moved by refused frames");
    Rest.Response v = Rest.get(url(victim), node.human("eve", victim));
    assertEquals(victimVersion, v.body().path("version").asText(), "another session changed");
    assertEquals(victimHash, v.body().path("stateHash").asText(), "another session changed");
    assertEquals(strangerFrames, stranger.frames.size(), "another session's client got frames");
    assertNull(c.closeStatus.get(), "the fuzzing connection was closed");
    assertNull(other.closeStatus.get(), "the bystander was closed");
    assertTrue(other.ofType("error").isEmpty(), "the bystander got errors");
    // the bystander sees exactly the acked batches, in order, and it still works
    sync(other);
    Set<String> seen =
        other.ofType("change").stream()
            .map(f -> f.path("batchId").asText())
            .collect(Collectors.toSet());
    for (String id : changed) {
      assertTrue(seen.contains(id), "the bystander never got the change of " + acked.get(id));
    }
    for (JsonNode f : other.ofType("change")) {
      assertTrue(ackedIds.contains(f.path("batchId").asText()), "unexpected change: " + f);
    }
    sync(other);
    assertEquals(200, Rest.get(node.base() + "/health", null).status());
  }

  // ---------------------------------------------------------------- generating

  private String generate(Expect[] e, String victim) {
    int k = rnd.nextInt(20);
    switch (k) {
      case 0:
        e[0] = new Expect("garbage", BAD, false);
        return garbage();
      case 1:
        e[0] = new Expect("not-an-object", BAD, false);
        return pick("[]", "[1,2,3]", "42", "\"type\"", "null", "true", "[{\"type\":\"ping\"}]");
      case 2:
        e[0] = new Expect("unknown-type", Set.of("unknown_type"), false);
        return obj().put("type", word() + rnd.nextInt(1000)).put("batchId", "x").toString();
      case 3:
        e[0] = new Expect("unknown-op", Set.of("unknown_type"), false);
        return batchFrame(
                newId(),
                version,
                arr(
                    obj()
                        .put("op", pick("frobnicate", "SET", "eval", "drop", ""))
                        .put("path", "x")))
            .toString();
      case 4:
        e[0] = new Expect("wrong-types", BAD, false);
        return wrongTypes();
      case 5:
        if (rnd.nextInt(5) == 0) {
          e[0] = new Expect("huge-frame", Set.of("too_large"), false);
          return batchFrame(
                  newId(),
                  version,
                  arr(
                      obj()
                          .put("op", "set")
                          .put("path", "tasks/t1/title")
                          .put("value", "x".repeat(270_000 + rnd.nextInt(600_000)))))
              .toString();
        }
        e[0] = new Expect("huge-id", Set.of("bad_frame", "too_large"), false);
        return rnd.nextBoolean()
            ? batchFrame("b".repeat(129 + rnd.nextInt(5000)), version, validOps()).toString()
            : batchFrame(
                    newId(),
                    version,
                    arr(
                        obj()
                            .put("op", "delete")
                            .put("path", "p/".repeat(2100 + rnd.nextInt(9000)))))
                .toString();
      case 6:
        {
          int depth = 1100 + rnd.nextInt(4000);
          e[0] = new Expect("deep-nesting", null, false);
          String v = "[".repeat(depth) + "]".repeat(depth);
          if (rnd.nextBoolean()) {
            v = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
          }
          return "{\"type\":\"batch\",\"batchId\":\""
              + newId()
              + "\",\"basedOn\":\""
              + version
              + "\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/deep\",\"value\":"
              + v
              + "}]}";
        }
      case 7:
        {
          // deep but under the parser's limit: may be stored (tasks allow other keys)
          int depth = 10 + rnd.nextInt(150);
          e[0] = new Expect("nested", null, true);
          String v = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
          return "{\"type\":\"batch\",\"batchId\":\""
              + newId()
              + "\",\"basedOn\":\""
              + version
              + "\",\"ops\":[{\"op\":\"set\",\"path\":\"tasks/t1/deep\",\"value\":"
              + v
              + "}]}";
        }
      case 8:
        {
          // another session named in the frame or its paths: touches this session or nothing
          e[0] = new Expect("other-session", null, true);
          ObjectNode op =
              obj()
                  .put("op", "set")
                  .put(
                      "path",
                      pick(
                          "../" + victim + "/tasks/t1",
                          "/v1/sessions/" + victim + "/tasks",
                          "sessions/" + victim + "/plan",
                          victim,
                          "tasks/t1/../../" + victim,
                          "tasks/" + victim))
                  .put("value", "pwned");
          ObjectNode f = batchFrame(newId(), version, arr(op));
          f.put("session", victim).put("sessionId", victim).put("to", victim);
          return f.toString();
        }
      case 9:
        e[0] = new Expect("splice-out-of-range", Set.of("invalid_op", "bad_frame"), false);
        return batchFrame(
                newId(),
                version,
                arr(
                    obj()
                        .put("op", "splice")
                        .put("path", "tasks/t1/description")
                        // valid splices grow the text: stay far beyond its end
                        .put("index", pick(0L, 1L << 20, (long) Integer.MAX_VALUE, -1L, 1L << 40))
                        .put("delete", pick(1L << 20, 1L << 31, -5L))
                        .put("insert", "zz")))
            .toString();
      case 10:
        {
          if (acked.isEmpty()) {
            e[0] = new Expect("valid", null, true);
            return batchFrame(newId(), version, validOps()).toString();
          }
          List<String> ids = new ArrayList<>(acked.keySet());
          String id = ids.get(rnd.nextInt(ids.size()));
          e[0] = new Expect("replayed-id", Set.of("batch_id_reused"), false);
          return batchFrame(
                  id,
                  version,
                  arr(
                      obj()
                          .put("op", "set")
                          .put("path", "tasks/t1/title")
                          .put("value", "replay-" + rnd.nextLong())))
              .toString();
        }
      case 11:
        {
          if (acked.isEmpty() || rnd.nextBoolean()) {
            e[0] = new Expect("valid", null, true);
            return batchFrame(newId(), version, validOps()).toString();
          }
          // exact replay: a duplicate ack, nothing applied again
          List<String> texts = new ArrayList<>(acked.values());
          e[0] = new Expect("exact-replay", Set.of(), true);
          return texts.get(rnd.nextInt(texts.size()));
        }
      case 12:
        e[0] = new Expect("bad-base", Set.of("stale_base", "bad_frame"), false);
        return batchFrame(
                newId(), pick("zz:999999", "n1:99999999", "n1:-1", "garbage", ":::"), validOps())
            .toString();
      case 13:
        {
          e[0] =
              new Expect(
                  "bad-resolve",
                  Set.of("bad_frame", "conflict_not_found", "path_not_found", "invalid_op"),
                  false);
          ObjectNode r = obj().put("type", "resolve").put("batchId", newId());
          switch (rnd.nextInt(4)) {
            case 0 -> r.put("path", "tasks/t1/status").put("value", "done").put("delete", true);
            case 1 -> r.put("value", "x");
            case 2 ->
                r.put("path", "tasks/t1/status")
                    .put("value", "done")
                    .put("conflictId", "no-such-" + rnd.nextInt());
            default -> r.put("path", "plan/999999@n1").put("keep", true);
          }
          return r.toString();
        }
      case 14:
        e[0] = new Expect("hello-again", BAD, false);
        return obj().put("type", "hello").put("clientId", "again").toString();
      case 15:
        {
          e[0] = new Expect("too-many-ops", Set.of("too_large"), false);
          ArrayNode ops = WsClient.M.createArrayNode();
          for (int j = 0; j < 501 + rnd.nextInt(50); j++) {
            ops.add(obj().put("op", "increment").put("path", "tasks/t1/n").put("by", 1));
          }
          return batchFrame(newId(), version, ops).toString();
        }
      case 16:
        {
          e[0] =
              new Expect(
                  "missing-target",
                  Set.of("path_not_found", "invalid_op", "schema_violation"),
                  false);
          String bogus = (1000 + rnd.nextInt(100000)) + "@" + pick("n1", "n2", "zz");
          return batchFrame(
                  newId(),
                  version,
                  arr(
                      pick(
                          obj().put("op", "set").put("path", "plan/" + bogus).put("value", "x"),
                          obj()
                              .put("op", "move")
                              .put("path", "plan/" + planEl)
                              .put("to", "plan")
                              .put("after", bogus),
                          obj().put("op", "increment").put("path", "tasks/t1/title").put("by", 1),
                          obj()
                              .put("op", "splice")
                              .put("path", "plan")
                              .put("index", 0)
                              .put("delete", 0)
                              .put("insert", "x"),
                          obj().put("op", "delete").put("path", "tasks/nope/" + bogus))))
              .toString();
        }
      case 17:
        {
          e[0] = new Expect("presence", Set.of("too_large", "bad_frame"), true);
          ObjectNode p = obj().put("type", "presence");
          switch (rnd.nextInt(3)) {
            case 0 -> p.put("state", "x".repeat(5000));
            case 1 -> p.putObject("state").put("blob", "y".repeat(5000));
            default -> p.putObject("state").put("focus", "tasks/t1");
          }
          return p.toString();
        }
      case 18:
        e[0] = new Expect("lone-surrogate", BAD, false);
        return loneSurrogate();
      default:
        e[0] = new Expect("binary", BAD, false);
        return null;
    }
  }

  private String wrongTypes() {
    ObjectNode f = batchFrame(newId(), version, validOps());
    switch (rnd.nextInt(9)) {
      case 0 -> f.put("batchId", rnd.nextInt());
      case 1 -> f.putArray("batchId").add("a");
      case 2 -> f.put("basedOn", 5);
      case 3 -> f.putObject("ops").put("op", "set");
      case 4 -> f.put("ops", "set everything");
      case 5 -> f.putArray("ops");
      case 6 -> ((ObjectNode) f.get("ops").get(0)).put("path", 12);
      case 7 -> ((ObjectNode) f.get("ops").get(0)).put("op", true);
      default -> f.put("precondition", "maybe");
    }
    if (rnd.nextBoolean()) {
      f.put("type", rnd.nextBoolean() ? "batch" : null);
      if (f.get("type").isNull()) {
        f.put("batchId", "typeless");
      }
    }
    return f.toString();
  }

  /** A frame that is valid but for one string holding an unpaired surrogate, as a JSON escape. */
  private String loneSurrogate() {
    String lone = pick("\uD800", "\uDFFF", "x\uDC00y", "\uD83D" + "z");
    ObjectNode f;
    switch (rnd.nextInt(5)) {
      case 0 -> {
        f = batchFrame(newId(), version, validOps());
        ((ObjectNode) f.get("ops").get(0)).put("op", "set").put("value", lone);
      }
      case 1 -> {
        f = batchFrame(newId(), version, validOps());
        ((ObjectNode) f.get("ops").get(0)).put("path", "tasks/t1/" + lone);
      }
      case 2 -> {
        f = batchFrame(newId(), version, WsClient.M.createArrayNode());
        f.withArray("ops")
            .addObject()
            .put("op", "set")
            .put("path", "tasks/t1/meta")
            .putObject("value")
            .put(lone, "key");
      }
      case 3 -> f = obj().put("type", "presence").set("state", obj().put("focus", lone));
      default -> {
        f = batchFrame(newId(), version, validOps());
        ((ObjectNode) f.get("ops").get(0)).put("op", "splice").put("insert", lone);
      }
    }
    // Jackson writes the surrogate raw, which UTF-8 cannot carry: send the escape a client writes
    return f.toString().replace(lone, escape(lone));
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      if (Character.isSurrogate(ch)) {
        b.append(String.format("\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.toString();
  }

  private ArrayNode validOps() {
    ArrayNode ops = WsClient.M.createArrayNode();
    switch (rnd.nextInt(4)) {
      case 0 -> ops.add(obj().put("op", "set").put("path", "tasks/t1/title").put("value", word()));
      case 1 -> ops.add(obj().put("op", "increment").put("path", "tasks/t1/n").put("by", 1));
      case 2 ->
          ops.add(
              obj()
                  .put("op", "splice")
                  .put("path", "tasks/t1/description")
                  .put("index", 0)
                  .put("delete", 0)
                  .put("insert", word()));
      default ->
          ops.add(
              obj().put("op", "insert").put("path", "plan").putNull("after").put("value", word()));
    }
    return ops;
  }

  private ObjectNode batchFrame(String batchId, String basedOn, ArrayNode ops) {
    ObjectNode b = obj().put("type", "batch").put("batchId", batchId).put("basedOn", basedOn);
    b.set("ops", ops);
    return b;
  }

  private String garbage() {
    switch (rnd.nextInt(5)) {
      case 0:
        {
          String valid = batchFrame(newId(), version, validOps()).toString();
          return valid.substring(0, 1 + rnd.nextInt(valid.length() - 1));
        }
      case 1:
        {
          StringBuilder sb = new StringBuilder();
          int n = 1 + rnd.nextInt(200);
          for (int j = 0; j < n; j++) {
            sb.append((char) (rnd.nextInt(2) == 0 ? 32 + rnd.nextInt(95) : rnd.nextInt(0xD7FF)));
          }
          return "{" + sb;
        }
      case 2:
        return pick("{", "}", "{\"type\":}", "{'type':'ping'}", "{\"type\":\"batch\",}", "\u0000");
      case 3:
        return "{\"type\":\"batch\",\"batchId\":\"x\\ud800\",\"basedOn\":\"" + version + "\",";
      default:
        return "{\"type\":\"ping\"}{\"type\":\"hello\"}";
    }
  }

  private static String batchIdOf(String text) {
    try {
      JsonNode n = WsClient.M.readTree(text);
      JsonNode id = n == null ? null : n.get("batchId");
      String t = n == null ? null : n.path("type").asText();
      if (id != null
          && id.isTextual()
          && id.textValue().length() <= 128
          && !id.textValue().isEmpty()
          && ("batch".equals(t) || "resolve".equals(t))) {
        return id.textValue();
      }
    } catch (Exception | StackOverflowError e) {
      // not JSON
    }
    return null;
  }

  private String newId() {
    return "fz-" + (++batchSeq) + "-" + Long.toHexString(rnd.nextLong());
  }

  private String word() {
    return pick("alpha", "beta", "gamma", "delta", "ünïcødé", "emoji-\uD83D\uDE00", "<script>", "");
  }

  @SafeVarargs
  private <T> T pick(T... options) {
    return options[rnd.nextInt(options.length)];
  }

  private static ObjectNode obj() {
    return WsClient.M.createObjectNode();
  }

  private static ArrayNode arr(ObjectNode... items) {
    ArrayNode a = WsClient.M.createArrayNode();
    for (ObjectNode o : items) {
      a.add(o);
    }
    return a;
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "(binary or flood)";
    }
    return text.length() > 300 ? text.substring(0, 300) + "…(" + text.length() + " chars)" : text;
  }
}
