package dev.chorus.load.harness.verify;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.conflict.Conflict;
import dev.chorus.crdt.conflict.ConflictEvent;
import java.util.Set;
import java.util.TreeSet;

/**
 * Diagnosis for a conflict-view mismatch: replays a session's history, change by change, into a
 * fresh {@link Doc} and checks after every change that the conflict events the doc emitted add up
 * to exactly the conflicts it reports. A client only learns of conflicts through those events (the
 * server forwards the doc's events as {@code conflict.*} frames), so if they do not add up here the
 * mismatch is the CRDT's, not the transport's or the harness's.
 */
final class EventReplay {
  private EventReplay() {}

  /** What the replay found: null if the events always added up, else the first divergence. */
  static String firstDivergence(History h, Set<String> serverConflicts) {
    Doc d = new Doc("verifier-replay");
    Set<String> told = new TreeSet<>();
    d.addListener(
        (change, events) -> {
          for (ConflictEvent e : events) {
            if (e instanceof ConflictEvent.Opened) {
              told.add(e.conflict().id());
            } else {
              told.remove(e.conflict().id());
            }
          }
        });
    int n = 0;
    for (History.Entry e : h.entries()) {
      n++;
      try {
        d.apply(e.change());
      } catch (RuntimeException ex) {
        return "replay: change " + e.key() + " (#" + n + ") refused: " + ex.getMessage();
      }
      Set<String> open = ids(d);
      if (!open.equals(told)) {
        return "replay: after change "
            + e.key()
            + " (#"
            + n
            + " of "
            + h.entries().size()
            + ", by "
            + e.authorId()
            + ") the doc's conflict events say "
            + diff(told, open)
            + " than Doc.conflicts()";
      }
    }
    Set<String> open = ids(d);
    if (!open.equals(serverConflicts)) {
      return "replay: events add up, but the replayed doc has "
          + diff(open, serverConflicts)
          + " than the server";
    }
    return null;
  }

  private static Set<String> ids(Doc d) {
    Set<String> s = new TreeSet<>();
    for (Conflict c : d.conflicts()) {
      s.add(c.id());
    }
    return s;
  }

  /** "{extra} more and {missing} fewer" of {@code a} against {@code b}. */
  static String diff(Set<String> a, Set<String> b) {
    Set<String> extra = new TreeSet<>(a);
    extra.removeAll(b);
    Set<String> missing = new TreeSet<>(b);
    missing.removeAll(a);
    return extra + " more and " + missing + " fewer";
  }
}
