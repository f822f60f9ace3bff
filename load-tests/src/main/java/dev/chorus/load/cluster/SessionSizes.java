package dev.chorus.load.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

/**
 * What a session keeps after a benchmark run, to compare with and without compaction: the bytes of
 * its snapshot in the shared store, and how many changes each node still holds in its history
 * ({@code GET .../history?since=}, every change since the node's compaction floor).
 */
final class SessionSizes {
  private static final ObjectMapper M = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private SessionSizes() {}

  /** One log line: {@code sizes: snapshot_bytes=<n> history_changes=<port>:<n>,...}. */
  static String of(String storeUrl, String session, List<Integer> ports, String token) {
    StringBuilder sb =
        new StringBuilder("sizes: snapshot_bytes=").append(snapshotBytes(storeUrl, session));
    sb.append(" history_changes=");
    for (int i = 0; i < ports.size(); i++) {
      sb.append(i == 0 ? "" : ",").append("n").append(i + 1).append(':');
      sb.append(historyChanges(ports.get(i), session, token));
    }
    return sb.toString();
  }

  private static String snapshotBytes(String storeUrl, String session) {
    try (Connection c = DriverManager.getConnection(storeUrl);
        PreparedStatement p =
            c.prepareStatement(
                "SELECT octet_length(data) FROM chorus_snapshots WHERE session_id = ?")) {
      p.setString(1, session);
      try (ResultSet r = p.executeQuery()) {
        return r.next() ? Long.toString(r.getLong(1)) : "0";
      }
    } catch (Exception e) {
      return "?(" + e.getMessage() + ")";
    }
  }

  private static String historyChanges(int port, String session, String token) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/v1/sessions/"
                              + session
                              + "/history?since="))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode b = M.readTree(r.body());
      return r.statusCode() == 200
          ? Integer.toString(b.path("changes").size())
          : "?(" + r.statusCode() + ")";
    } catch (Exception e) {
      return "?(" + e.getMessage() + ")";
    }
  }
}
