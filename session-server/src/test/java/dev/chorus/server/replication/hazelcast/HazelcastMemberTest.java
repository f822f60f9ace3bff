package dev.chorus.server.replication.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The member configuration the cluster's promises rest on (no member is started). */
class HazelcastMemberTest {

  private static HazelcastMember.Settings settings(String iface, List<String> members, String dns) {
    return new HazelcastMember.Settings("c", "n1", iface, 5701, members, dns);
  }

  @Test
  void holdsNoData_theStoreIsTheOpLog() {
    Config c = HazelcastMember.config(settings("127.0.0.1", List.of(), ""));
    assertTrue(c.getMapConfigs().isEmpty(), "no map: nothing is kept in Hazelcast");
  }

  @Test
  void collectsNoMetricsOfItsOwn() {
    Config c = HazelcastMember.config(settings("127.0.0.1", List.of(), ""));
    assertFalse(c.getMetricsConfig().isEnabled(), "Chorus's /metrics do not read Hazelcast's");
  }

  @Test
  void loopbackByDefault_memberListOrKubernetesDns() {
    Config local = HazelcastMember.config(settings("127.0.0.1", List.of(), ""));
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

    Config listed = HazelcastMember.config(settings("0.0.0.0", List.of("a:5701", "b:5701"), ""));
    assertEquals("true", listed.getProperty("hazelcast.socket.bind.any"));
    assertEquals(
        List.of("a:5701", "b:5701"),
        listed.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());

    Config k8s =
        HazelcastMember.config(
            settings("0.0.0.0", List.of(), "chorus-hz.default.svc.cluster.local"));
    assertFalse(k8s.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertTrue(k8s.getNetworkConfig().getJoin().getKubernetesConfig().isEnabled());
    assertEquals(
        Map.of("service-dns", "chorus-hz.default.svc.cluster.local", "service-port", "5701"),
        k8s.getNetworkConfig().getJoin().getKubernetesConfig().getProperties());
  }
}
