package dev.chorus.server.replication.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.internal.util.ConcurrencyUtil;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The embedded Hazelcast member of a node and its configuration: discovery (TCP-IP member list or
 * Kubernetes DNS) and loopback-only binding by default. The member holds no data: it carries the
 * topics and membership; the store holds the op log. Only {@code replication.hazelcast} imports
 * Hazelcast.
 *
 * <p>Start-up blocks (≈1–3 s): call {@link #start} before Vert.x serves.
 */
public final class HazelcastMember implements AutoCloseable {
  /** Prefix of the striped change/presence topics. */
  static final String TOPIC_PREFIX = "chorus.session.";

  /** Member attribute carrying the node's replica id (for presence clean-up when it leaves). */
  static final String REPLICA_ATTRIBUTE = "chorus.replica";

  /**
   * How a member is started.
   *
   * @param clusterName members with the same name form a cluster
   * @param replicaId this node's replica id (member attribute; instance name {@code chorus-<id>})
   * @param bindInterface the interface to bind: an IP ({@code 127.0.0.1}, the default) or {@code
   *     0.0.0.0} for every interface (containers, pods)
   * @param port member port (no auto-increment)
   * @param members TCP-IP member list ({@code host:port}, no ranges); empty = this member alone
   * @param kubernetesServiceDns when set, discover members through this headless service's DNS
   *     records instead of the member list
   */
  public record Settings(
      String clusterName,
      String replicaId,
      String bindInterface,
      int port,
      List<String> members,
      String kubernetesServiceDns) {}

  private final HazelcastInstance instance;
  private final Config config;

  private HazelcastMember(HazelcastInstance instance, Config config) {
    this.instance = instance;
    this.config = config;
  }

  /**
   * Where Hazelcast runs the continuations of its async calls when the JVM's common pool cannot:
   * with at most 2 cores the common pool has parallelism 1, and Hazelcast then starts a new thread
   * for every continuation — one per topic {@code publishAsync} — each waiting to be scheduled on a
   * busy machine (thousands of threads a minute).
   */
  private static final ForkJoinPool ASYNC =
      new ForkJoinPool(
          2,
          pool -> {
            ForkJoinWorkerThread t =
                ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("chorus-hazelcast-async-" + t.getPoolIndex());
            return t;
          },
          null,
          true);

  /** Starts a member and joins (or forms) its cluster. */
  public static HazelcastMember start(Settings s) {
    if (ForkJoinPool.getCommonPoolParallelism() <= 1) {
      ConcurrencyUtil.setDefaultAsyncExecutor(ASYNC);
    }
    Config c = config(s);
    return new HazelcastMember(Hazelcast.newHazelcastInstance(c), c);
  }

  /** The configuration {@link #start} uses (visible for the configuration test). */
  static Config config(Settings s) {
    Config c = new Config();
    c.setClusterName(s.clusterName());
    c.setInstanceName("chorus-" + s.replicaId());
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    setIfUnset(c, "hazelcast.wait.seconds.before.join", "0");
    setIfUnset(c, "hazelcast.max.wait.seconds.before.join", "0");
    setIfUnset(c, "hazelcast.graceful.shutdown.max.wait", "30");
    c.getJetConfig().setEnabled(false);
    // Hazelcast's own metrics (for Management Center and JMX) are collected on every member every
    // 5 s; nothing of Chorus reads them (its /metrics are its own), and on two shared cores an idle
    // cluster's fixed cost is what an op at a low rate pays for (docs/benchmarks.md, "Issue 15: CPU
    // per op at 500 ops/s"). -Dhazelcast.metrics.enabled=true turns them back on.
    c.getMetricsConfig().setEnabled(false);
    c.getMemberAttributeConfig().setAttribute(REPLICA_ATTRIBUTE, s.replicaId());

    NetworkConfig n = c.getNetworkConfig();
    n.setPort(s.port()).setPortAutoIncrement(false);
    boolean anyInterface = s.bindInterface() == null || s.bindInterface().equals("0.0.0.0");
    // Without bind.any=false Hazelcast listens on every interface even when one is configured.
    c.setProperty("hazelcast.socket.bind.any", Boolean.toString(anyInterface));
    if (!anyInterface) {
      n.getInterfaces().setEnabled(true).addInterface(s.bindInterface());
    }
    JoinConfig j = n.getJoin();
    j.getMulticastConfig().setEnabled(false);
    j.getAutoDetectionConfig().setEnabled(false);
    if (s.kubernetesServiceDns() != null && !s.kubernetesServiceDns().isBlank()) {
      j.getTcpIpConfig().setEnabled(false);
      j.getKubernetesConfig()
          .setEnabled(true)
          .setProperty("service-dns", s.kubernetesServiceDns())
          .setProperty("service-port", Integer.toString(s.port()));
    } else {
      j.getTcpIpConfig().setEnabled(true);
      for (String m : s.members()) {
        j.getTcpIpConfig().addMember(m);
      }
      if (s.members().isEmpty()) {
        j.getTcpIpConfig()
            .addMember((anyInterface ? "127.0.0.1" : s.bindInterface()) + ":" + s.port());
      }
    }

    return c;
  }

  private static void setIfUnset(Config c, String property, String value) {
    // A -D system property (tests, operators) wins over our default.
    if (System.getProperty(property) == null) {
      c.setProperty(property, value);
    }
  }

  HazelcastInstance instance() {
    return instance;
  }

  /** "up" while the member runs. */
  public String health() {
    return instance.getLifecycleService().isRunning() ? "up" : "down";
  }

  public int members() {
    return instance.getLifecycleService().isRunning()
        ? instance.getCluster().getMembers().size()
        : 0;
  }

  /**
   * Adds an address to the TCP-IP member list at run time. The split-brain handler looks there on
   * its next run ({@code hazelcast.merge.next.run.delay.seconds}), finds the other cluster and
   * merges: the partition tests heal a split this way.
   */
  public void discover(String hostPort) {
    config.getNetworkConfig().getJoin().getTcpIpConfig().addMember(hostPort);
  }

  /**
   * Leaves the cluster. With other members, gracefully: its partitions are handed over before it
   * goes, so the others see a leave rather than a crash (bounded by {@code
   * hazelcast.graceful.shutdown.max.wait}). Alone, it just stops.
   */
  @Override
  public void close() {
    if (members() > 1) {
      instance.getLifecycleService().shutdown();
    } else {
      instance.getLifecycleService().terminate();
    }
  }

  /** Stops at once, as a crash would: no hand-over (tests of node loss). */
  public void terminate() {
    instance.getLifecycleService().terminate();
  }
}
