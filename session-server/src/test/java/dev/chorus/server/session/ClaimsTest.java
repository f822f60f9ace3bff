package dev.chorus.server.session;

import static dev.chorus.server.session.StageFixtures.ALICE;
import static dev.chorus.server.session.StageFixtures.agentSessionDoc;
import static dev.chorus.server.session.StageFixtures.write;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.auth.Role;
import dev.chorus.server.protocol.ClientOp;
import dev.chorus.server.protocol.Frames;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Claim leases (docs/protocol.md, op {@code claim}; SCENARIOS 13): a claim ends by lease expiry or
 * by the holder's last disconnect as a change authored by {@code chorus-server} with a {@code
 * release} op, so an orphaned claim is never silent. The releases go through the write path like
 * any batch: here through the real check and apply stages.
 */
class ClaimsTest {
  private final Doc doc = agentSessionDoc();
  private final WriteCheck check = new WriteCheck(doc, Shape.of(Shape.AGENT_SESSION), 1 << 20);
  private final WriteApplier applier = new WriteApplier(doc);
  private final List<Frames.Batch> submitted = new ArrayList<>();
  private final List<Principal> submitters = new ArrayList<>();
  private final List<Change> changes = new ArrayList<>();
  private boolean leads = true;

  private final Claims claims = new Claims("s1", doc, () -> leads, this::submit);

  private Future<BatchResult> submit(Frames.Batch b, Principal p) {
    submitted.add(b);
    submitters.add(p);
    var ops = OpTranslation.resolve(b.ops());
    var basedOn = check.basedOn(b);
    check.shape(ops);
    changes.add(applier.apply(p.author(), basedOn, ops, 2_000L).change());
    return Future.succeededFuture(
        BatchResult.of(b.batchId(), doc.version().toString(), new String[0], null));
  }

  private static String task(String claim) {
    return "{\"title\":\"T\",\"status\":\"doing\",\"assignee\":null,\"claim\":" + claim + "}";
  }

  private static String claim(String actor, long until) {
    return "{\"actor\":\"" + actor + "\",\"kind\":\"human\",\"until\":" + until + "}";
  }

  /** t1 and a/b held by alice until 1000, t2 by bob until 5000, t3 free. */
  private void claimed() {
    write(
        doc,
        ALICE,
        null,
        "[{\"op\":\"set\",\"path\":\"tasks/t1\",\"value\":"
            + task(claim("alice", 1_000))
            + "},{\"op\":\"set\",\"path\":\"tasks/a~1b\",\"value\":"
            + task(claim("alice", 1_000))
            + "},{\"op\":\"set\",\"path\":\"tasks/t2\",\"value\":"
            + task(claim("bob", 5_000))
            + "},{\"op\":\"set\",\"path\":\"tasks/t3\",\"value\":"
            + task("null")
            + "},{\"op\":\"set\",\"path\":\"tasks/t4\",\"value\":{\"title\":\"no claim field\"}}]");
  }

  private Object claimOf(String taskKey) {
    return doc.get(Path.of("tasks", taskKey, "claim"));
  }

  private static List<String> releasedPaths(Frames.Batch b) {
    List<String> out = new ArrayList<>();
    for (ClientOp op : b.ops()) {
      assertTrue(op instanceof ClientOp.Release, op.toString());
      out.add(op.path());
    }
    return out;
  }

  @Test
  void theLeaderReleasesExpiredLeasesAtOnce_asAChangeOfTheServer() {
    claimed();
    claims.releaseExpired(1_000);
    assertEquals(1, submitted.size());
    Frames.Batch b = submitted.get(0);
    assertEquals("lease-expiry-1000", b.batchId());
    assertNull(b.basedOn(), "a release supersedes the claim present now");
    assertEquals(List.of("tasks/a~1b", "tasks/t1"), releasedPaths(b));
    Principal server = submitters.get(0);
    assertEquals("chorus-server", server.actorId());
    assertEquals(Role.OWNER, server.role());
    assertEquals(Session.SERVER, changes.get(0).author());

    assertNull(claimOf("t1"));
    assertNull(claimOf("a/b"));
    assertEquals(Map.of("actor", "bob", "kind", "human", "until", 5_000L), claimOf("t2"));
  }

  @Test
  void aLeaseIsNotReleasedBeforeItEnds() {
    claimed();
    claims.releaseExpired(999);
    assertEquals(List.of(), submitted);
    claims.releaseExpired(5_000);
    assertEquals(List.of("tasks/a~1b", "tasks/t1", "tasks/t2"), releasedPaths(submitted.get(0)));
  }

  @Test
  void aReplicaThatDoesNotLead_waitsAGraceBeforeReleasing() {
    claimed();
    leads = false;
    claims.releaseExpired(1_000 + Claims.LEASE_RELEASE_GRACE_MS - 1);
    assertEquals(List.of(), submitted, "the leader should release it first");
    claims.releaseExpired(1_000 + Claims.LEASE_RELEASE_GRACE_MS);
    assertEquals(List.of("tasks/a~1b", "tasks/t1"), releasedPaths(submitted.get(0)));
  }

  @Test
  void whenTheHoldersLastConnectionGoes_itsClaimsAreReleased() {
    claimed();
    claims.holderLeft("bob", "p-9");
    assertEquals(1, submitted.size());
    Frames.Batch b = submitted.get(0);
    assertTrue(b.batchId().startsWith("holder-left-p-9-"), b.batchId());
    assertEquals(List.of("tasks/t2"), releasedPaths(b));
    assertNull(claimOf("t2"));
    assertEquals("alice", ((Map<?, ?>) claimOf("t1")).get("actor"));
  }

  @Test
  void nothingToRelease_writesNothing() {
    claimed();
    claims.holderLeft("carol", "p-1");
    claims.releaseExpired(0);
    assertEquals(List.of(), submitted);

    Doc generic = new Doc("n1");
    new Claims("s2", generic, () -> true, this::submit).releaseExpired(Long.MAX_VALUE);
    write(generic, ALICE, null, "[{\"op\":\"set\",\"path\":\"tasks\",\"value\":\"not a map\"}]");
    new Claims("s2", generic, () -> true, this::submit).releaseExpired(Long.MAX_VALUE);
    assertEquals(List.of(), submitted);
  }

  @Test
  void aReleaseThatFails_isOnlyLogged() {
    claimed();
    Claims failing =
        new Claims(
            "s1", doc, () -> true, (b, p) -> Future.failedFuture(new IllegalStateException("x")));
    assertDoesNotThrow(() -> failing.releaseExpired(1_000));
  }
}
