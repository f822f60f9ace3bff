package dev.chorus.server.replication.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.List;

/**
 * The embedded Hazelcast member of a node, bound to loopback only unless members are given. This is
 * the only package that imports Hazelcast.
 *
 * <p>Start-up blocks (≈3 s): call {@link #start} from a worker thread or before Vert.x serves.
 */
public final class HazelcastMember implements AutoCloseable {
  private final HazelcastInstance instance;

  private HazelcastMember(HazelcastInstance instance) {
    this.instance = instance;
  }

  /**
   * Starts a member on {@code 127.0.0.1:port} that joins {@code members} (host:port, no ranges;
   * empty = alone). Phone-home, multicast, auto-detection and Jet are off.
   */
  public static HazelcastMember start(
      String clusterName, String instanceName, int port, List<String> members) {
    Config c = new Config();
    c.setClusterName(clusterName);
    c.setInstanceName(instanceName);
    c.setProperty("hazelcast.phone.home.enabled", "false");
    c.setProperty("hazelcast.socket.bind.any", "false");
    c.setProperty("hazelcast.logging.type", "slf4j");
    c.setProperty("hazelcast.shutdownhook.enabled", "false");
    c.setProperty("hazelcast.wait.seconds.before.join", "0");
    c.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    c.getJetConfig().setEnabled(false);
    NetworkConfig n = c.getNetworkConfig();
    n.setPort(port).setPortAutoIncrement(false);
    n.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig j = n.getJoin();
    j.getMulticastConfig().setEnabled(false);
    j.getAutoDetectionConfig().setEnabled(false);
    j.getTcpIpConfig().setEnabled(true);
    for (String m : members) {
      j.getTcpIpConfig().addMember(m);
    }
    if (members.isEmpty()) {
      j.getTcpIpConfig().addMember("127.0.0.1:" + port);
    }
    return new HazelcastMember(Hazelcast.newHazelcastInstance(c));
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

  /** Fast stop (no partition migration: a single node has nothing to hand over). */
  @Override
  public void close() {
    instance.getLifecycleService().terminate();
  }
}
