package dev.chorus.server.replication.hazelcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster {@link Replicator}: {@value #STRIPES} striped topics carry every stored change to the
 * other nodes promptly, one message per group commit. Nothing is kept in Hazelcast: the shared
 * store holds every change once, and catch-up reads it there.
 *
 * <p><b>Why striped topics, not one topic per session.</b> Every node subscribes to the same fixed
 * set of topics once, at start-up: opening or unloading a session registers nothing cluster-wide (a
 * per-session topic costs a listener registration on every member per session, and a message
 * published while a registration is still propagating is lost), and the cost stays the same with 10
 * or 100,000 sessions. A session always maps to the same stripe, and one publisher's messages on
 * one topic arrive in order, so a session's changes from one node arrive in order; stripes let
 * Hazelcast's event threads deliver different sessions in parallel. The price is that a node also
 * receives messages of sessions it does not hold (dropped after reading the session id) — small
 * when, as intended, clients of a session are spread over the few nodes of a cluster.
 *
 * <p>Messages are compact binary ({@link #message}): a byte array Hazelcast sends as it is, read on
 * the other side without JSON parsing; a node that does not hold the session stops after its id.
 *
 * <p>Threads: Hazelcast calls listeners on its own event threads; this class only reads the message
 * there and hands everything to the subscribed session's Vert.x context. Publishes use the async
 * API.
 */
public final class HazelcastReplicator implements Replicator {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastReplicator.class);

  /** Number of topics sessions are striped over. */
  static final int STRIPES = 32;

  private final HazelcastMember member;
  private final Vertx vertx;
  private final String replicaId;
  private final List<ITopic<byte[]>> topics = new ArrayList<>();
  private final List<UUID> topicListeners = new ArrayList<>();
  private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final UUID membershipListener;
  private final UUID lifecycleListener;
  private volatile TopologyListener topology;

  private record Subscription(Context context, SessionListener listener) {}

  public HazelcastReplicator(HazelcastMember member, Vertx vertx, String replicaId) {
    this.member = member;
    this.vertx = vertx;
    this.replicaId = replicaId;
    // Registered once: Hazelcast keeps them through a split-brain merge (ClusterPartitionIT checks
    // that changes cross the healed cut both ways by topic).
    for (int i = 0; i < STRIPES; i++) {
      ITopic<byte[]> t = member.instance().getTopic(HazelcastMember.TOPIC_PREFIX + i);
      topics.add(t);
      topicListeners.add(t.addMessageListener(this::onMessage));
    }
    this.membershipListener =
        member
            .instance()
            .getCluster()
            .addMembershipListener(
                new MembershipListener() {
                  @Override
                  public void memberAdded(MembershipEvent e) {
                    TopologyListener l = topology;
                    if (l != null) {
                      l.onJoined();
                    }
                  }

                  @Override
                  public void memberRemoved(MembershipEvent e) {
                    TopologyListener l = topology;
                    String replica = e.getMember().getAttribute(HazelcastMember.REPLICA_ATTRIBUTE);
                    if (l != null && replica != null) {
                      l.onLeft(replica);
                    }
                  }
                });
    this.lifecycleListener =
        member
            .instance()
            .getLifecycleService()
            .addLifecycleListener(
                e -> {
                  // This member merged into another cluster after a split: the other side's
                  // changes never came by topic.
                  if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                    TopologyListener l = topology;
                    if (l != null) {
                      l.onJoined();
                    }
                  }
                });
  }

  private ITopic<byte[]> topicOf(String sessionId) {
    return topics.get(Math.floorMod(sessionId.hashCode(), STRIPES));
  }

  private static Context callerContext(Vertx vertx) {
    Context c = Vertx.currentContext();
    return c != null ? c : vertx.getOrCreateContext();
  }

  /** Message types: a change message carries entries, a presence message one participant. */
  private static final byte ENTRIES = 'e';

  private static final byte PRESENCE = 'p';

  @Override
  public void publish(String sessionId, List<OpLogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    send(
        sessionId,
        message(
            ENTRIES,
            sessionId,
            out -> {
              out.writeInt(entries.size());
              for (OpLogEntry e : entries) {
                e.writeTo(out);
              }
            }));
  }

  @Override
  public void publishPresence(String sessionId, ObjectNode participant, boolean left) {
    send(
        sessionId,
        message(
            PRESENCE,
            sessionId,
            out -> {
              OpLogEntry.writeString(out, participant.toString());
              out.writeBoolean(left);
            }));
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  /** A topic message: the session id first (receivers not holding it stop there), then the rest. */
  private byte[] message(byte type, String sessionId, Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      OpLogEntry.writeString(out, sessionId);
      out.writeByte(type);
      OpLogEntry.writeString(out, replicaId);
      body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  private void send(String sessionId, byte[] message) {
    try {
      topicOf(sessionId)
          .publishAsync(message)
          .exceptionally(
              t -> {
                LOG.debug(
                    "publish for {} failed (catch-up will fix it): {}", sessionId, t.toString());
                return null;
              });
    } catch (RuntimeException e) {
      LOG.debug("publish for {} failed (catch-up will fix it): {}", sessionId, e.toString());
    }
  }

  /** On a Hazelcast event thread: read the message, hand it to the session's context. */
  private void onMessage(Message<byte[]> msg) {
    if (msg.getPublishingMember() != null && msg.getPublishingMember().localMember()) {
      return;
    }
    try {
      // a node of an older version sends JSON strings: the cast fails, catch-up brings its changes
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(msg.getMessageObject()));
      Subscription sub = subscriptions.get(OpLogEntry.readString(in));
      if (sub == null) {
        return; // not held here (catch-up on open covers it)
      }
      byte type = in.readByte();
      String from = OpLogEntry.readString(in);
      if (replicaId.equals(from)) {
        return; // our own
      }
      if (type == PRESENCE) {
        JsonNode p = Values.MAPPER.readTree(OpLogEntry.readString(in));
        boolean left = in.readBoolean();
        if (p instanceof ObjectNode participant) {
          sub.context().runOnContext(v -> sub.listener().onPresence(from, participant, left));
        }
        return;
      }
      int n = in.readInt();
      List<OpLogEntry> entries = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        entries.add(OpLogEntry.readFrom(in));
      }
      sub.context().runOnContext(v -> sub.listener().onEntries(entries));
    } catch (IOException | RuntimeException e) {
      LOG.warn("unreadable replication message dropped: {}", e.toString());
    }
  }

  @Override
  public AutoCloseable subscribe(String sessionId, SessionListener listener) {
    Subscription s = new Subscription(callerContext(vertx), listener);
    subscriptions.put(sessionId, s);
    return () -> subscriptions.remove(sessionId, s);
  }

  @Override
  public void onTopology(TopologyListener listener) {
    this.topology = listener;
  }

  /** The member owning the session id's partition leads it (one owner at a time). */
  @Override
  public boolean leads(String sessionId) {
    try {
      var owner = member.instance().getPartitionService().getPartition(sessionId).getOwner();
      return owner == null || owner.localMember();
    } catch (RuntimeException e) {
      return true;
    }
  }

  @Override
  public boolean clustered() {
    return true;
  }

  @Override
  public String health() {
    return member.health();
  }

  @Override
  public int members() {
    return member.members();
  }

  /** Unregisters listeners (before the member stops). */
  public void close() {
    try {
      if (member.instance().getLifecycleService().isRunning()) {
        for (int i = 0; i < topics.size(); i++) {
          topics.get(i).removeMessageListener(topicListeners.get(i));
        }
        member.instance().getCluster().removeMembershipListener(membershipListener);
        member.instance().getLifecycleService().removeLifecycleListener(lifecycleListener);
      }
    } catch (RuntimeException e) {
      LOG.debug("unregistering listeners failed: {}", e.toString());
    }
  }
}
