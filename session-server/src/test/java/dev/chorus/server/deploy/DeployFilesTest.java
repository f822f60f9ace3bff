package dev.chorus.server.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chorus.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files (deploy/: Dockerfile, docker-compose.yml, k8s/chorus.yaml) hold together
 * with the server they deploy: every {@code CHORUS_*} variable they set is a real setting, each
 * node's environment (the image's defaults plus its own) is a configuration the server accepts, and
 * the ports, health checks and discovery names they wire up are the ones that configuration uses.
 * No docker or Kubernetes here: this reads the files as those tools would.
 */
class DeployFilesTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final Set<String> SETTINGS =
      ServerConfig.OPTIONS.stream().map(ServerConfig.Option::env).collect(Collectors.toSet());
  private static final Pattern VAR = Pattern.compile("\\bCHORUS_[A-Z0-9_]+\\b");
  private static final String SECRET = "x".repeat(44);

  private static String read(String file) throws IOException {
    return Files.readString(DEPLOY.resolve(file));
  }

  /** The image's {@code ENV} defaults. */
  private static Map<String, String> imageEnv() throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("^ENV ((?:.*\\\\\\n)*.*)$", Pattern.MULTILINE).matcher(read("Dockerfile"));
    while (m.find()) {
      for (String pair : m.group(1).replace("\\\n", " ").trim().split("\\s+")) {
        String[] kv = pair.split("=", 2);
        env.put(kv[0], kv[1]);
      }
    }
    return env;
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Object node, String... keys) {
    Object x = node;
    for (String k : keys) {
      assertTrue(x instanceof Map, "no " + k + " in " + x);
      x = ((Map<String, Object>) x).get(k);
    }
    return (T) x;
  }

  private static ServerConfig accepted(Map<String, String> env, String who) {
    for (String k : env.keySet()) {
      assertTrue(!k.startsWith("CHORUS_") || SETTINGS.contains(k), who + ": unknown setting " + k);
    }
    try {
      return ServerConfig.parse(new String[0], env);
    } catch (IllegalArgumentException e) {
      throw new AssertionError(who + ": the server refuses this environment: " + e.getMessage());
    }
  }

  @Test
  void everyVariableTheFilesNameIsASetting() throws IOException {
    for (String file : List.of("Dockerfile", "docker-compose.yml", "k8s/chorus.yaml")) {
      Matcher m = VAR.matcher(read(file));
      while (m.find()) {
        assertTrue(
            SETTINGS.contains(m.group()), file + " names " + m.group() + ": no such setting");
      }
    }
  }

  @Test
  void composeNodesAreValidConfigurationsOfOneCluster() throws IOException {
    Map<String, Object> compose = new Yaml().load(read("docker-compose.yml"));
    Map<String, Object> services = at(compose, "services");
    Set<String> replicas = new HashSet<>();
    List<String> nodes = new ArrayList<>();
    for (Map.Entry<String, Object> s : services.entrySet()) {
      Map<String, Object> env = at(s.getValue(), "environment");
      if (env == null || !env.containsKey("CHORUS_REPLICA_ID")) {
        continue;
      }
      nodes.add(s.getKey());
      Map<String, String> resolved = imageEnv();
      env.forEach(
          (k, v) ->
              resolved.put(
                  k, String.valueOf(v).startsWith("${CHORUS_JWT_SECRET") ? SECRET : "" + v));
      ServerConfig c = accepted(resolved, s.getKey());
      assertTrue(replicas.add(c.replicaId()), "replica ids differ: " + c.replicaId());
      assertEquals("chorus", c.clusterName());
      assertTrue(c.storeUrl().startsWith("jdbc:postgresql://postgres:"), "the shared PostgreSQL");
      // every node is a member the others list, on the port it listens on
      assertTrue(
          c.hazelcastMembers().contains(at(s.getValue(), "hostname") + ":" + c.hazelcastPort()),
          s.getKey() + " is in CHORUS_HAZELCAST_MEMBERS");
      // the health check and the published port reach the server's own port
      List<String> check = at(s.getValue(), "healthcheck", "test");
      assertTrue(
          check.contains("http://127.0.0.1:" + c.port() + "/health"), "health check: " + check);
      List<String> ports = at(s.getValue(), "ports");
      assertTrue(ports.get(0).endsWith(":" + c.port()), "published port: " + ports);
      String published = ports.get(0).split(":")[1];
      assertTrue(
          c.allowedOrigins().contains("http://127.0.0.1:" + published),
          "browsers on the published port may connect: " + c.allowedOrigins());
      assertTrue(
          Integer.parseInt(at(s.getValue(), "stop_grace_period").toString().replace("s", ""))
              > c.shutdownGraceMs() / 1000,
          "docker waits longer than the server's own shutdown grace");
    }
    assertEquals(3, nodes.size(), "three nodes: " + nodes);
    assertEquals(3, new HashSet<>(accepted(composeEnv(services), "any").hazelcastMembers()).size());
  }

  private static Map<String, String> composeEnv(Map<String, Object> services) {
    Map<String, Object> env = at(services.get("chorus1"), "environment");
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> out.put(k, String.valueOf(v).startsWith("${") ? SECRET : "" + v));
    return out;
  }

  @Test
  void kubernetesPodsAreValidConfigurationsFoundThroughTheHeadlessService() throws IOException {
    Map<String, Map<String, Object>> byKind = new LinkedHashMap<>();
    Map<String, Map<String, Object>> services = new LinkedHashMap<>();
    for (Object doc : new Yaml().loadAll(read("k8s/chorus.yaml"))) {
      if (doc == null) {
        continue;
      }
      String kind = at(doc, "kind");
      String name = at(doc, "metadata", "name");
      if (kind.equals("Service")) {
        services.put(name, at(doc));
      } else {
        byKind.put(kind, at(doc));
      }
    }
    Map<String, Object> set = byKind.get("StatefulSet");
    assertNotNull(set, "a StatefulSet");
    Map<String, Object> pod = at(set, "spec", "template", "spec");
    Map<String, Object> container = ((List<Map<String, Object>>) at(pod, "containers")).get(0);

    // the pod's environment as the kubelet would resolve it for chorus-0
    Map<String, String> env = imageEnv();
    for (Map<String, Object> e : (List<Map<String, Object>>) at(container, "env")) {
      String name = at(e, "name");
      Map<String, Object> from = at(e, "valueFrom");
      String v;
      if (e.get("value") != null) {
        v = e.get("value").toString().replace("$(POD_NAMESPACE)", "default");
      } else if (from.containsKey("fieldRef")) {
        v = at(from, "fieldRef", "fieldPath").equals("metadata.name") ? "chorus-0" : "default";
      } else {
        // secrets (deploy/k8s/secret.example.yaml): a PostgreSQL URL and a signing key
        v = name.equals("CHORUS_STORE_URL") ? "jdbc:postgresql://pg:5432/chorus" : SECRET;
      }
      env.put(name, v);
    }
    ServerConfig c = accepted(env, "chorus-0");
    assertEquals("chorus-0", c.replicaId(), "the pod name: a stable replica id per pod");

    Map<String, Integer> ports = new LinkedHashMap<>();
    for (Map<String, Object> p : (List<Map<String, Object>>) at(container, "ports")) {
      ports.put(at(p, "name"), at(p, "containerPort"));
    }
    assertEquals(c.port(), ports.get("http"), "the http port is the server's");
    assertEquals(c.hazelcastPort(), ports.get("hazelcast"), "the member port is Hazelcast's");
    for (String probe : List.of("readinessProbe", "livenessProbe")) {
      assertEquals("/health", at(container, probe, "httpGet", "path"), probe);
      assertTrue(ports.containsKey(at(container, probe, "httpGet", "port")), probe + " port");
    }

    // members find each other through the headless service the set is governed by
    String governing = at(set, "spec", "serviceName");
    Map<String, Object> headless = services.get(governing);
    assertNotNull(headless, "the StatefulSet's service " + governing);
    assertEquals("None", at(headless, "spec", "clusterIP"));
    assertEquals(Boolean.TRUE, at(headless, "spec", "publishNotReadyAddresses"));
    assertTrue(
        c.hazelcastK8sServiceDns().startsWith(governing + ".default.svc"),
        "DNS discovery names the headless service: " + c.hazelcastK8sServiceDns());
    Map<String, String> podLabels = at(set, "spec", "template", "metadata", "labels");
    for (Map<String, Object> svc : services.values()) {
      Map<String, String> selector = at(svc, "spec", "selector");
      assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "selects the pods");
    }
    assertTrue(
        ((Number) at(pod, "terminationGracePeriodSeconds")).longValue()
            > c.shutdownGraceMs() / 1000,
        "Kubernetes waits longer than the server's own shutdown grace");
    Map<String, Object> budget = byKind.get("PodDisruptionBudget");
    assertNotNull(budget, "a disruption budget");
    assertTrue(
        ((Number) at(budget, "spec", "maxUnavailable")).intValue() == 1,
        "one pod down by choice at a time");
  }
}
