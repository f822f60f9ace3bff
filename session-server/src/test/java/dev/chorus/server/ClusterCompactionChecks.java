package dev.chorus.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicLong;

/** What the cluster compaction tests do to nodes and check on them. */
final class ClusterCompactionChecks {
  private static final AtomicLong KEYS = new AtomicLong();

  private ClusterCompactionChecks() {}

  /**
   * Flags of a node that snapshots every 10 of its own changes and compacts with no lag (the floor
   * trails one snapshot behind), reading the agreement every {@code antiEntropyMs} (0: never on a
   * timer).
   */
  static String[] compacting(long antiEntropyMs) {
    return CompactionIT.compactingEvery(10, "--anti-entropy-ms", Long.toString(antiEntropyMs));
  }

  /** Sets {@code tasks/<task>} to a task titled {@code title} through node {@code n}. */
  static Rest.Response set(
      TestCluster.Node n, String session, String token, String basedOn, String task, String title)
      throws Exception {
    String body =
        (basedOn == null ? "{" : "{\"basedOn\":\"" + basedOn + "\",")
            + "\"ops\":[{\"op\":\"set\",\"path\":\"tasks/"
            + task
            + "\",\"value\":{\"title\":\""
            + title
            + "\"}}]}";
    return Rest.post(
        n.base() + "/v1/sessions/" + session + "/ops",
        token,
        body,
        "Idempotency-Key",
        "k" + KEYS.incrementAndGet());
  }

  /** Like {@link #set}, and it must be acked; returns the version. */
  static String setOk(TestCluster.Node n, String session, String token, String task, String title)
      throws Exception {
    Rest.Response r = set(n, session, token, null, task, title);
    assertEquals(200, r.status(), "write on " + n.replica() + ": " + r.body());
    return r.body().path("version").asText();
  }

  /** The status of {@code GET .../history?since=}: 410 once the node forgot the history there. */
  static int historyStatus(TestCluster.Node n, String session, String token, String since)
      throws Exception {
    return Rest.get(n.base() + "/v1/sessions/" + session + "/history?since=" + since, token)
        .status();
  }

  /** How many changes the node still holds in its history (since its compaction floor). */
  static int retainedChanges(TestCluster.Node n, String session, String token) throws Exception {
    Rest.Response r = Rest.get(n.base() + "/v1/sessions/" + session + "/history?since=", token);
    assertEquals(200, r.status(), n.replica() + ": " + r.body());
    return r.body().path("changes").size();
  }

  /** How many compactions the node ran ({@code chorus_compaction_seconds_count}). */
  static double compactions(TestCluster.Node n) throws Exception {
    String name = "chorus_compaction_seconds_count";
    for (String line : Rest.get(n.base() + "/metrics", null).body().asText().split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    return 0;
  }

  /** Bytes of the session's snapshot in the shared store (0 if none). */
  static long storedSnapshotBytes(String storeUrl, String session) throws Exception {
    try (Connection c = DriverManager.getConnection(storeUrl);
        PreparedStatement p =
            c.prepareStatement(
                "SELECT octet_length(data) FROM chorus_snapshots WHERE session_id = ?")) {
      p.setString(1, session);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? r.getLong(1) : 0;
      }
    }
  }
}
