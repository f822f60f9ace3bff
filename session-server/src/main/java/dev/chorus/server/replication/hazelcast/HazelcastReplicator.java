package dev.chorus.server.replication.hazelcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.replication.OpLogEntry;
import dev.chorus.server.replication.Replicator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster {@link Replicator}: the grow-only op-log map {@code chorus.oplog} (durability and
 * catch-up) plus {@value #STRIPES} striped topics (prompt delivery).
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
 * <p>Threads: Hazelcast calls listeners on its own event threads; this class only parses the
 * envelope there and hands everything to the subscribed session's Vert.x context. Blocking
 * Hazelcast calls (queries) run on a worker pool; puts and publishes use the async API.
 */
public final class HazelcastReplicator implements Replicator {
  private static final Logger LOG = LoggerFactory.getLogger(HazelcastReplicator.class);

  /** Number of topics sessions are striped over. */
  static final int STRIPES = 32;

  private final HazelcastMember member;
  private final Vertx vertx;
  private final String replicaId;
  private final IMap<String, String> oplog;
  private final List<ITopic<String>> topics = new ArrayList<>();
  private final List<UUID> topicListeners = new ArrayList<>();
  private final ConcurrentHashMap<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final WorkerExecutor queries;
  private final UUID membershipListener;
  private final UUID lifecycleListener;
  private volatile TopologyListener topology;

  private record Subscription(Context context, SessionListener listener) {}

  public HazelcastReplicator(HazelcastMember member, Vertx vertx, String replicaId) {
    this.member = member;
    this.vertx = vertx;
    this.replicaId = replicaId;
    this.oplog = member.instance().getMap(HazelcastMember.OPLOG_MAP);
    this.queries = vertx.createSharedWorkerExecutor("chorus-hazelcast", 2);
    // Registered once: Hazelcast keeps them through a split-brain merge (ClusterPartitionIT checks
    // that changes cross the healed cut both ways by topic).
    for (int i = 0; i < STRIPES; i++) {
      ITopic<String> t = member.instance().getTopic(HazelcastMember.TOPIC_PREFIX + i);
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

  private ITopic<String> topicOf(String sessionId) {
    return topics.get(Math.floorMod(sessionId.hashCode(), STRIPES));
  }

  private static Context callerContext(Vertx vertx) {
    Context c = Vertx.currentContext();
    return c != null ? c : vertx.getOrCreateContext();
  }

  @Override
  public Future<Void> persist(String sessionId, List<OpLogEntry> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, String> batch = new LinkedHashMap<>();
    for (OpLogEntry e : entries) {
      batch.put(e.key(sessionId), e.toJsonString());
    }
    Context ctx = callerContext(vertx);
    try {
      // Entries of one session share a partition: one operation, acknowledged once the
      // synchronous backups have it. A key is only ever written with the same entry.
      return Future.fromCompletionStage(oplog.putAllAsync(batch), ctx);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public void publish(String sessionId, List<OpLogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    send(
        sessionId,
        message(
            "e",
            sessionId,
            g -> {
              g.writeArrayFieldStart("e");
              for (OpLogEntry e : entries) {
                e.writeTo(g);
              }
              g.writeEndArray();
            }));
  }

  @Override
  public void publishPresence(String sessionId, ObjectNode participant, boolean left) {
    send(
        sessionId,
        message(
            "p",
            sessionId,
            g -> {
              g.writeFieldName("p");
              g.writeTree(participant);
              g.writeBooleanField("left", left);
            }));
  }

  /**
   * A topic message: the envelope, then {@code body}. Streamed, so entries' JSON is copied in, not
   * built as a tree and printed again.
   */
  private String message(String type, String sessionId, Values.JsonWriter body) {
    return Values.jsonString(
        g -> {
          g.writeStartObject();
          g.writeStringField("t", type);
          g.writeStringField("s", sessionId);
          g.writeStringField("from", replicaId);
          body.write(g);
          g.writeEndObject();
        });
  }

  private void send(String sessionId, String message) {
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

  /** On a Hazelcast event thread: read the envelope, hand it to the session's context. */
  private void onMessage(Message<String> msg) {
    if (msg.getPublishingMember() != null && msg.getPublishingMember().localMember()) {
      return;
    }
    JsonNode m;
    try {
      m = Values.MAPPER.readTree(msg.getMessageObject());
    } catch (Exception e) {
      LOG.warn("unreadable replication message dropped: {}", e.toString());
      return;
    }
    String sessionId = m.path("s").asText();
    Subscription sub = subscriptions.get(sessionId);
    if (sub == null || replicaId.equals(m.path("from").asText())) {
      return; // not held here (catch-up on open covers it), or our own
    }
    String from = m.path("from").asText();
    if ("p".equals(m.path("t").asText())) {
      JsonNode p = m.path("p");
      if (p instanceof ObjectNode participant) {
        boolean left = m.path("left").asBoolean();
        sub.context().runOnContext(v -> sub.listener().onPresence(from, participant, left));
      }
      return;
    }
    List<OpLogEntry> entries = new ArrayList<>();
    try {
      for (JsonNode e : m.path("e")) {
        entries.add(OpLogEntry.fromJson(e));
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("unreadable op-log entry from {} dropped: {}", from, e.toString());
      return;
    }
    sub.context().runOnContext(v -> sub.listener().onEntries(entries));
  }

  @Override
  public Future<List<OpLogEntry>> missing(String sessionId, VersionVector have) {
    Map<String, Long> h = have.asMap();
    return queries.executeBlocking(
        () -> {
          Collection<String> values =
              oplog
                  .entrySet(
                      Predicates.partitionPredicate(sessionId, new MissingEntries(sessionId, h)))
                  .stream()
                  .map(Map.Entry::getValue)
                  .toList();
          List<OpLogEntry> out = new ArrayList<>(values.size());
          for (String v : values) {
            out.add(OpLogEntry.fromJson(v));
          }
          // causal order is not needed (the doc buffers), but per-replica order saves buffering
          out.sort(
              (a, b) ->
                  a.replica().equals(b.replica())
                      ? Long.compare(a.startCounter(), b.startCounter())
                      : Long.compare(a.seq(), b.seq()));
          return out;
        },
        false);
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

  /** The member owning the session's op-log partition leads it (one owner at a time). */
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
    queries.close();
  }
}
