package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.Replicator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is here and what they are doing: the ephemeral presence of this node's participants (with a
 * TTL, replicated to the other nodes, never stored) and of the participants of other nodes as they
 * announced it. Every change is passed on to this node's participants. On the session's context.
 */
final class PresenceBoard {
  /** Presence of one participant of this node. */
  private record Local(Participant participant, ObjectNode state, long expiresAt) {}

  /** Presence of a participant of another node ({@code participant} as on the wire). */
  private record Remote(String origin, ObjectNode participant, long expiresAt) {}

  private final String sessionId;
  private final Participants participants;
  private final Replicator replicator;
  private final Map<String, Local> local = new LinkedHashMap<>();
  private final Map<String, Remote> remote = new LinkedHashMap<>();

  PresenceBoard(String sessionId, Participants participants, Replicator replicator) {
    this.sessionId = sessionId;
    this.participants = participants;
    this.replicator = replicator;
  }

  /** Sets a participant's presence; tells the others here and on other nodes. */
  void set(Participant p, ObjectNode state, long ttlMs) {
    Local pr = new Local(p, state, System.currentTimeMillis() + ttlMs);
    local.put(p.participantId(), pr);
    broadcast(json(pr), false, p);
    replicator.publishPresence(sessionId, json(pr), false);
  }

  /** A participant left: its presence goes, and everyone is told (if it had any). */
  void left(Participant p) {
    Local pr = local.remove(p.participantId());
    if (pr != null) {
      broadcast(json(pr), true, null);
      replicator.publishPresence(sessionId, json(pr), true);
    }
  }

  /** Drops what expired by {@code now}, telling the participants. */
  void expire(long now) {
    List<Local> expired = new ArrayList<>();
    Iterator<Local> it = local.values().iterator();
    while (it.hasNext()) {
      Local pr = it.next();
      if (pr.expiresAt() <= now) {
        it.remove();
        expired.add(pr);
      }
    }
    for (Local pr : expired) {
      broadcast(json(pr), true, null);
    }
    remote.values().removeIf(rp -> rp.expiresAt() <= now && remoteLeft(rp));
  }

  /** Presence announced by a participant of another node. */
  void remote(String origin, ObjectNode participant, boolean left) {
    String pid = participant.path("participantId").asText();
    if (pid.isEmpty()) {
      return;
    }
    if (left) {
      Remote rp = remote.remove(pid);
      if (rp != null) {
        remoteLeft(rp);
      }
      return;
    }
    remote.put(pid, new Remote(origin, participant, participant.path("expiresAt").asLong()));
    broadcast(participant, false, null);
  }

  /** A node left the cluster: its participants are gone, and their presence with them. */
  void nodeLeft(String replica) {
    remote.values().removeIf(rp -> rp.origin().equals(replica) && remoteLeft(rp));
  }

  /** Whether the actor is connected to another node, as far as presence tells. */
  boolean actorElsewhere(String actorId) {
    for (Remote rp : remote.values()) {
      if (actorId.equals(rp.participant().path("actor").path("id").asText())) {
        return true;
      }
    }
    return false;
  }

  /** Everyone's presence, for a welcome. */
  void writeTo(ArrayNode out) {
    for (Local pr : local.values()) {
      out.add(json(pr));
    }
    for (Remote rp : remote.values()) {
      out.add(rp.participant());
    }
  }

  private static ObjectNode json(Local pr) {
    ObjectNode o = Values.NODES.objectNode();
    o.put("participantId", pr.participant().participantId());
    o.put("clientId", pr.participant().clientId());
    o.set("actor", WireJson.actor(pr.participant().principal().author()));
    o.set("state", pr.state());
    o.put("expiresAt", pr.expiresAt());
    return o;
  }

  private void broadcast(ObjectNode participant, boolean left, Participant except) {
    ObjectNode f = Values.NODES.objectNode();
    f.put("type", "presence");
    f.set("participant", participant);
    if (left) {
      f.put("left", true);
    }
    participants.sendAllExcept(EncodedFrame.of(f), except);
  }

  /** Tells this node's participants a remote participant left; true (for removeIf). */
  private boolean remoteLeft(Remote rp) {
    broadcast(rp.participant(), true, null);
    return true;
  }
}
