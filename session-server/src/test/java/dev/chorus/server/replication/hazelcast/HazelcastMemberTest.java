package dev.chorus.server.replication.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The member configuration the cluster's promises rest on (no member is started). */
class HazelcastMemberTest {

  private static HazelcastMember.Settings settings(
      String iface, List<String> members, String dns, int backups) {
    return new HazelcastMember.Settings("c", "n1", iface, 5701, members, dns, backups, 600);
  }

  @Test
  void opLog_hasSynchronousBackups_unionMerge_andOnePartitionPerSession() {
    Config c = HazelcastMember.config(settings("127.0.0.1", List.of(), "", 2));
    MapConfig m = c.getMapConfig(HazelcastMember.OPLOG_MAP);
    assertEquals(2, m.getBackupCount());
    assertEquals(0, m.getAsyncBackupCount(), "backups are synchronous: the ack waits for them");
    assertEquals(PutIfAbsentMergePolicy.class.getName(), m.getMergePolicyConfig().getPolicy());
    assertEquals(600, m.getTimeToLiveSeconds());
    assertEquals("true", c.getProperty("hazelcast.operation.fail.on.indeterminate.state"));
    SessionPartitioning p = new SessionPartitioning();
    assertEquals("s1", p.getPartitionKey("s1/n2/17"));
    assertEquals("s1", p.getPartitionKey("s1"));
  }

  @Test
  void loopbackByDefault_memberListOrKubernetesDns() {
    Config local = HazelcastMember.config(settings("127.0.0.1", List.of(), "", 1));
    assertEquals("false", local.getProperty("hazelcast.socket.bind.any"));
    assertEquals(
        List.of("127.0.0.1"),
        List.copyOf(local.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals(
        List.of("127.0.0.1:5701"),
        local.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertFalse(local.getNetworkConfig().getJoin().getMulticastConfig().isEnabled());
    assertEquals(
        "n1", local.getMemberAttributeConfig().getAttribute(HazelcastMember.REPLICA_ATTRIBUTE));

    Config listed = HazelcastMember.config(settings("0.0.0.0", List.of("a:5701", "b:5701"), "", 1));
    assertEquals("true", listed.getProperty("hazelcast.socket.bind.any"));
    assertEquals(
        List.of("a:5701", "b:5701"),
        listed.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());

    Config k8s =
        HazelcastMember.config(
            settings("0.0.0.0", List.of(), "chorus-hz.default.svc.cluster.local", 1));
    assertFalse(k8s.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertTrue(k8s.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
    assertEquals(
        Map.of("service-dns", "chorus-hz.default.svc.cluster.local", "service-port", "5701"),
        k8s.getNetworkConfig().getJoin().getKubernetesConfig().getProperties());
  }

  @Test
  void missingEntries_selectsWhatAVersionLacks_ofOneSessionOnly() {
    MissingEntries m = new MissingEntries("s1", Map.of("n1", 5L));
    assertFalse(m.apply(Map.entry("s1/n1/5", "")));
    assertTrue(m.apply(Map.entry("s1/n1/6", "")));
    assertTrue(m.apply(Map.entry("s1/n2/1", "")));
    assertFalse(m.apply(Map.entry("s10/n2/1", "")), "another session in the same partition");
  }
}
