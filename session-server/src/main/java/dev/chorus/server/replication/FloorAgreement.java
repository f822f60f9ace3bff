package dev.chorus.server.replication;

import dev.chorus.crdt.clock.VersionVector;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How the replicas holding one session agree on a compaction floor: a version every holder has
 * applied and below which none accepts a write any more. Only once they agree may a replica forget
 * the history and deleted values below it ({@code Doc.compact}), because from then on no change
 * based below it can be made anywhere, and every change based below it that was made before is in
 * what the holders reported (or in the store, for a holder that left).
 *
 * <p>A round:
 *
 * <ol>
 *   <li>{@link #propose}: a holder proposes a floor (a version it noted at a snapshot at least the
 *       compaction lag ago). The holders at that moment are the ones the round waits for.
 *   <li>Each of them first <em>fences</em> — refuses every write whose {@code basedOn} does not
 *       include the {@link #fence} ({@code stale_base}) — then, once it has applied the proposed
 *       floor, {@link #ack}s with its version. Its version includes every change it made on an
 *       older view, since it made none after fencing.
 *   <li>The round is agreed ({@link #settle}) when every holder it waits for acked, left by
 *       unloading the session ({@link #unregister}: its changes are committed to the shared store),
 *       or loaded it again ({@link #register}: a fresh load is fenced from its start), or its
 *       member left the cluster at least a grace period ago ({@link #departed}: a crashed member
 *       made no change after its last commit; a member cut off by a split is given the grace to
 *       notice).
 *   <li>Then a holder compacts to {@link #floor} once it has caught up from the store after the
 *       agreement and applied {@link #target} (every acked version): every change based below the
 *       floor is in it by then, so no later delivery is refused.
 * </ol>
 *
 * <p>A replica that registers while a round is open is fenced from its first write, so the round
 * does not wait for it. A round that does not settle within a timeout (a floor nobody can reach)
 * may be replaced by a new proposal; fences it set stay (a fence only refuses more). Everything
 * only grows: the floor, the fence and the target never go back.
 *
 * <p>Immutable; each method returns the next state (Hazelcast keeps it in a map and changes it with
 * entry processors, one session at a time). Versions are kept as codec text so the state serialises
 * without the CRDT classes.
 *
 * @param holders replicas that have the session loaded, each with the token of its load (so that
 *     the unregistering of an earlier load arriving late does not remove a later one)
 * @param floor the agreed floor ("" = none yet)
 * @param target what a holder must have applied before it compacts to {@code floor}
 * @param round number of the newest round (open or agreed)
 * @param proposed the floor of the open round, or null when none is open
 * @param waiting holders the open round waits for, with the time their member left (0 = present)
 * @param acked the merge of the proposed floor and every version acked in the open round
 * @param startedAt when the open round was proposed (partition owner's clock)
 */
public record FloorAgreement(
    Map<String, String> holders,
    String floor,
    String target,
    long round,
    String proposed,
    Map<String, Long> waiting,
    String acked,
    long startedAt)
    implements Serializable {

  /** No holder, no floor. */
  public static final FloorAgreement EMPTY =
      new FloorAgreement(Map.of(), "", "", 0, null, Map.of(), "", 0);

  public FloorAgreement {
    holders = Map.copyOf(holders);
    waiting = Map.copyOf(waiting);
  }

  /** Whether a round is open. */
  public boolean open() {
    return proposed != null;
  }

  /** Writes whose {@code basedOn} does not include this are refused by every holder. */
  public VersionVector fence() {
    VersionVector f = VersionVector.parse(floor);
    return open() ? f.merge(VersionVector.parse(proposed)) : f;
  }

  /** Whether {@code replica} must still ack the open round. */
  public boolean mustAck(String replica) {
    Long left = waiting.get(replica);
    return open() && left != null && left == 0;
  }

  /** Whether {@code replica} holds the session under the load {@code token}. */
  public boolean holds(String replica, String token) {
    return token.equals(holders.get(replica));
  }

  /**
   * {@code replica} loaded the session (load {@code token}): a holder, fenced from its first write.
   */
  public FloorAgreement register(String replica, String token) {
    Map<String, String> h = new TreeMap<>(holders);
    h.put(replica, token);
    Map<String, Long> w = new HashMap<>(waiting);
    w.remove(replica);
    return new FloorAgreement(h, floor, target, round, proposed, w, acked, startedAt);
  }

  /**
   * {@code replica} unloaded the session (load {@code token}), every change of it committed to the
   * store. Ignored if it has loaded it again since.
   */
  public FloorAgreement unregister(String replica, String token) {
    if (!holds(replica, token)) {
      return this;
    }
    Map<String, String> h = new TreeMap<>(holders);
    h.remove(replica);
    Map<String, Long> w = new HashMap<>(waiting);
    w.remove(replica);
    return new FloorAgreement(h, floor, target, round, proposed, w, acked, startedAt);
  }

  /**
   * The member of {@code replica} left the cluster at {@code now} (crash, stop or split): it holds
   * nothing any more; an open round still waits for it for the grace period ({@link #settle}).
   */
  public FloorAgreement departed(String replica, long now) {
    if (!holders.containsKey(replica) && !waiting.containsKey(replica)) {
      return this;
    }
    Map<String, String> h = new TreeMap<>(holders);
    h.remove(replica);
    Map<String, Long> w = new HashMap<>(waiting);
    w.computeIfPresent(replica, (k, at) -> at == 0 ? now : at);
    return new FloorAgreement(h, floor, target, round, proposed, w, acked, startedAt);
  }

  /**
   * Opens a round for {@code candidate}, unless one is open and younger than {@code timeoutMs} or
   * the floor already includes the candidate.
   */
  public FloorAgreement propose(VersionVector candidate, long now, long timeoutMs) {
    if (open() && now - startedAt < timeoutMs) {
      return this;
    }
    VersionVector agreed = VersionVector.parse(floor);
    if (agreed.dominates(candidate)) {
      return this;
    }
    Map<String, Long> w = new HashMap<>();
    holders.keySet().forEach(r -> w.put(r, 0L));
    String c = agreed.merge(candidate).toString();
    return new FloorAgreement(holders, floor, target, round + 1, c, w, c, now);
  }

  /**
   * {@code replica} fenced and applied the floor of round {@code ackRound}; {@code version} is what
   * it has applied. Ignored for another round or a replica the round does not wait for.
   */
  public FloorAgreement ack(String replica, long ackRound, VersionVector version) {
    if (ackRound != round || !mustAck(replica)) {
      return this;
    }
    Map<String, Long> w = new HashMap<>(waiting);
    w.remove(replica);
    String a = VersionVector.parse(acked).merge(version).toString();
    return new FloorAgreement(holders, floor, target, round, proposed, w, a, startedAt);
  }

  /** Agrees the open round if nobody it waits for is present or within the grace of leaving. */
  public FloorAgreement settle(long now, long graceMs) {
    if (!open()) {
      return this;
    }
    for (long leftAt : waiting.values()) {
      if (leftAt == 0 || now - leftAt < graceMs) {
        return this;
      }
    }
    String t = VersionVector.parse(target).merge(VersionVector.parse(acked)).toString();
    return new FloorAgreement(holders, proposed, t, round, null, Map.of(), "", 0);
  }
}
