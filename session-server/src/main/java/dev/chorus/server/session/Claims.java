package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.auth.Role;
import dev.chorus.server.protocol.ClientOp;
import dev.chorus.server.protocol.ContentHash;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task claims and their leases in an {@code agent-session}: a claim whose lease ran out, or whose
 * holder's last connection is gone, is released by a server-authored write that is broadcast like
 * any change — an orphaned claim is never silent (SCENARIOS 13). The batch id says why: {@code
 * lease-expiry-<ms>} or {@code holder-left-<participant>-<n>}. On the session's context.
 */
final class Claims {
  private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

  /** How long a replica not leading the session waits before releasing an expired claim. */
  static final long LEASE_RELEASE_GRACE_MS = 10_000;

  /** The principal of the server's own writes. */
  static final Principal SERVER_PRINCIPAL =
      new Principal(
          Session.SERVER.actorId(),
          Session.SERVER.kind(),
          Set.of(Principal.ALL_SESSIONS),
          Role.OWNER,
          0);

  private final String sessionId;
  private final Doc doc;
  private final BooleanSupplier leads;
  private final BiFunction<Frames.Batch, Principal, Future<BatchResult>> submit;

  /**
   * @param leads whether this replica leads the session (in a cluster only the leader releases
   *     expired claims at once, so replicas do not write competing releases)
   * @param submit the session's write path, which the releases go through
   */
  Claims(
      String sessionId,
      Doc doc,
      BooleanSupplier leads,
      BiFunction<Frames.Batch, Principal, Future<BatchResult>> submit) {
    this.sessionId = sessionId;
    this.doc = doc;
    this.leads = leads;
    this.submit = submit;
  }

  /** Releases the claims whose lease ended (the leader at once, the others after a grace). */
  void releaseExpired(long now) {
    long due = leads.getAsBoolean() ? now : now - LEASE_RELEASE_GRACE_MS;
    release(
        claim -> claim.get("until") instanceof Number until && until.longValue() <= due,
        "lease-expiry-" + now);
  }

  /** The actor's last connection (on every node, as far as presence tells) is gone. */
  void holderLeft(String actorId, String participantId) {
    release(
        claim -> actorId.equals(claim.get("actor")),
        "holder-left-" + participantId + "-" + System.nanoTime());
  }

  private void release(Predicate<Map<?, ?>> which, String batchId) {
    Object tasks;
    try {
      tasks = doc.get(Path.of("tasks"));
    } catch (DocException e) {
      return;
    }
    if (!(tasks instanceof Map<?, ?> m)) {
      return;
    }
    List<ClientOp> ops = new ArrayList<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (e.getValue() instanceof Map<?, ?> task
          && task.get("claim") instanceof Map<?, ?> claim
          && which.test(claim)) {
        ops.add(new ClientOp.Release("tasks/" + escape((String) e.getKey())));
      }
    }
    if (ops.isEmpty()) {
      return;
    }
    ObjectNode canon = Values.NODES.objectNode().put("release", batchId);
    Frames.Batch b =
        new Frames.Batch(batchId, null, false, List.copyOf(ops), null, ContentHash.of(canon));
    submit
        .apply(b, SERVER_PRINCIPAL)
        .onFailure(
            t -> LOG.warn("session {}: releasing claims failed: {}", sessionId, t.toString()));
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
