package dev.chorus.server.agent.mcp;

import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.auth.Principal;
import dev.chorus.server.session.EncodedFrame;
import dev.chorus.server.session.Participant;
import dev.chorus.server.session.Session;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Change notifications for the resource {@code chorus://sessions/{session}}: the SDK keeps who
 * subscribed to what, this keeps one watcher per Chorus session that has MCP subscribers — a
 * participant that hears every durable change and has the SDK tell the subscribers {@code
 * notifications/resources/updated}. It is not a connection of any actor (never releases claims) and
 * leaves when the last subscriber unsubscribes or its MCP session ends.
 */
final class ResourceWatches implements VertxStreamableTransport.Observer {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceWatches.class);

  private final SessionAccess access;
  private final Consumer<String> updated;
  private final Map<String, Watch> bySession = new ConcurrentHashMap<>();

  /**
   * @param updated tells the subscribers of a resource URI that it changed
   */
  ResourceWatches(SessionAccess access, Consumer<String> updated) {
    this.access = access;
    this.updated = updated;
  }

  @Override
  public void requested(String mcpSession, Principal p, McpSchema.JSONRPCRequest req) {
    boolean subscribe = McpSchema.METHOD_RESOURCES_SUBSCRIBE.equals(req.method());
    if (!subscribe && !McpSchema.METHOD_RESOURCES_UNSUBSCRIBE.equals(req.method())) {
      return;
    }
    Object uri = req.params() instanceof Map<?, ?> m ? m.get("uri") : null;
    if (!(uri instanceof String u) || !u.startsWith(McpEndpoint.RESOURCE_PREFIX)) {
      return;
    }
    String id = u.substring(McpEndpoint.RESOURCE_PREFIX.length());
    if (!subscribe) {
      Watch w = bySession.get(id);
      if (w != null) {
        w.remove(mcpSession);
      }
    } else if (p.grants(id)) { // reading it is refused too: no notifications to leak
      bySession.computeIfAbsent(id, k -> new Watch(k, p)).add(mcpSession);
    }
  }

  @Override
  public void closed(String mcpSession) {
    bySession.values().forEach(w -> w.remove(mcpSession));
  }

  /** The watcher of one Chorus session. */
  private final class Watch implements Participant {
    private final String sessionId;
    private final String uri;
    private final Principal principal;
    private final Set<String> subscribers = new HashSet<>();
    private Session session;
    private boolean opening;

    Watch(String sessionId, Principal principal) {
      this.sessionId = sessionId;
      this.uri = McpEndpoint.RESOURCE_PREFIX + sessionId;
      this.principal = principal;
    }

    synchronized void add(String mcpSession) {
      subscribers.add(mcpSession);
      if (session == null && !opening) {
        opening = true;
        access
            .open(principal, sessionId, false, null)
            .onSuccess(this::join)
            .onFailure(t -> LOG.debug("resource watch {}: {}", sessionId, t.toString()));
      }
    }

    synchronized void remove(String mcpSession) {
      if (subscribers.remove(mcpSession) && subscribers.isEmpty()) {
        bySession.remove(sessionId, this);
        if (session != null) {
          Session s = session;
          s.exec(
              () -> {
                s.leave(this);
                return null;
              });
        }
      }
    }

    private void join(Session s) {
      s.exec(
          () -> {
            synchronized (this) {
              if (subscribers.isEmpty()) {
                return null; // everyone left before it was open
              }
              session = s;
            }
            s.join(this, s.version().toString()); // an empty resumed welcome: no document built
            return null;
          });
    }

    @Override
    public void send(EncodedFrame frame) {
      if (frame.changeVersion() != null) {
        updated.accept(uri);
      }
    }

    @Override
    public void close(int status, String reason) {
      // the session is reloading or the node stopping: subscribers subscribe again to go on
      bySession.remove(sessionId, this);
    }

    @Override
    public boolean isActorConnection() {
      return false;
    }

    @Override
    public String participantId() {
      return "r-" + sessionId + "-" + System.identityHashCode(this);
    }

    @Override
    public String clientId() {
      return "mcp-resource";
    }

    @Override
    public Principal principal() {
      return principal;
    }

    @Override
    public boolean wantsSnapshots() {
      return false;
    }
  }
}
