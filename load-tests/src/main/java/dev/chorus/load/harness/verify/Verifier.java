package dev.chorus.load.harness.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.client.Ack;
import dev.chorus.client.ChorusRest;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.clock.VersionVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Checks one session after a run, from what the server stores (history, document, conflicts) and
 * what every client recorded ({@link ClientView}), after all clients drained and synced:
 *
 * <ol>
 *   <li><b>acked ⇒ stored once</b>: every acked batch names exactly one change in the history, by
 *       its author; no two batch ids name one change; no batch id has two changes; changes by the
 *       harness's actors that no ack names are explained by batches still in doubt, else
 *       duplicates;
 *   <li><b>delivered once</b>: every client ends at the server's version, and was delivered every
 *       change after it joined exactly once (its own: at most once, by a resume), nothing else;
 *   <li><b>same state</b>: a client's CRDT replica (changes delivered + its own acked changes from
 *       the history) has the server's version and {@code stateHash};
 *   <li><b>conflicts surfaced</b>: every client's open conflicts (welcome + {@code conflict.*}
 *       frames) equal the server's;
 *   <li><b>conflicts implied</b> (optional): the {@link RegisterModel}'s expected conflicts equal
 *       the server's concurrent-assignment conflicts, intent for intent.
 * </ol>
 */
public final class Verifier {
  private final Function<String, ChorusRest> rest;

  /** {@code rest}: a REST client of a session with a token that may read it. */
  public Verifier(Function<String, ChorusRest> rest) {
    this.rest = rest;
  }

  /** Verifies session {@code id} into {@code verdict}; {@code modelConflicts} adds check 5. */
  public void verify(String id, List<ClientView> views, boolean modelConflicts, Verdict v)
      throws Exception {
    ChorusRest r = rest.apply(id);
    JsonNode doc = r.read().get(60, TimeUnit.SECONDS);
    JsonNode conflicts = r.conflicts().get(60, TimeUnit.SECONDS);
    History h;
    try {
      h = new History(r.history("").get(60, TimeUnit.SECONDS));
    } catch (java.util.concurrent.ExecutionException e) {
      v.check(id + ": history readable", false, e.getCause().getMessage());
      return;
    }
    String serverVersion = doc.path("version").asText();
    String serverHash = doc.path("stateHash").asText();
    VersionVector sv = VersionVector.parse(serverVersion);
    v.check(
        id + ": quiet at the end",
        sv.equals(VersionVector.parse(h.version())),
        "document " + serverVersion + ", history " + h.version());

    // 1. acked => stored exactly once
    Map<String, String> claimedBy = new HashMap<>();
    Map<String, List<String>> ownKeys = new HashMap<>();
    Set<String> harnessActors = new HashSet<>();
    Set<String> inDoubt = new HashSet<>();
    Map<String, Integer> inDoubtByActor = new HashMap<>();
    long ackedBatches = 0;
    long ackedOps = 0;
    long lostAcks = 0;
    long dupAcks = 0;
    List<String> examples = new ArrayList<>();
    for (ClientView c : views) {
      String actor = c.actorId();
      harnessActors.add(actor);
      inDoubt.addAll(c.inDoubt());
      inDoubtByActor.merge(actor, c.inDoubt().size(), Integer::sum);
      List<String> own = ownKeys.computeIfAbsent(c.clientId(), k -> new ArrayList<>());
      ackedOps += c.ackedOps();
      for (Ack a : c.acked().values()) {
        ackedBatches++;
        History.Entry e = h.forAck(a.version(), actor);
        if (e == null) {
          lostAcks++;
          example(examples, "acked " + a.batchId() + " (" + a.version() + ") not in history");
          continue;
        }
        String prev = claimedBy.putIfAbsent(e.key(), a.batchId());
        if (prev != null && !prev.equals(a.batchId())) {
          lostAcks++;
          example(examples, "acks " + prev + " and " + a.batchId() + " name one change " + e.key());
        }
        if (e.batchId() != null && !e.batchId().equals(a.batchId())) {
          lostAcks++;
          example(examples, "ack " + a.batchId() + " names change of batch " + e.batchId());
        }
        own.add(e.key());
      }
    }
    for (Map.Entry<String, List<History.Entry>> b : h.byBatch().entrySet()) {
      if (b.getValue().size() > 1) {
        dupAcks += b.getValue().size() - 1;
        example(examples, "batch " + b.getKey() + " stored " + b.getValue().size() + " times");
      }
    }
    Map<String, Integer> unclaimedByActor = new HashMap<>();
    long appliedInDoubt = 0;
    for (History.Entry e : h.entries()) {
      if (!harnessActors.contains(e.authorId()) || claimedBy.containsKey(e.key())) {
        continue;
      }
      if (e.batchId() != null && inDoubt.contains(e.batchId())) {
        appliedInDoubt++;
      } else {
        unclaimedByActor.merge(e.authorId(), 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Integer> u : unclaimedByActor.entrySet()) {
      int extra = u.getValue() - inDoubtByActor.getOrDefault(u.getKey(), 0);
      if (extra > 0) {
        dupAcks += extra;
        example(examples, u.getKey() + " has " + extra + " stored changes no batch accounts for");
      }
    }
    v.lost(lostAcks);
    v.dup(dupAcks);
    v.check(
        id + ": every acked batch stored exactly once",
        lostAcks == 0 && dupAcks == 0,
        ackedBatches
            + " acked batches ("
            + ackedOps
            + " ops), "
            + h.entries().size()
            + " changes in history; lost "
            + lostAcks
            + ", duplicated "
            + dupAcks
            + (examples.isEmpty() ? "" : "; e.g. " + examples));
    v.fact(id + " acked batches", ackedBatches);
    v.fact(id + " in-doubt batches", inDoubt.size());
    if (appliedInDoubt > 0) {
      v.fact(id + " in-doubt batches found applied", appliedInDoubt);
    }

    // 2. delivered exactly once, 3. same state, 4. conflicts surfaced
    Set<String> present = new HashSet<>();
    elementIds(doc.path("doc"), present);
    Set<String> serverConflicts = new TreeSet<>();
    for (JsonNode c : conflicts.path("conflicts")) {
      serverConflicts.add(c.path("id").asText());
    }
    long missing = 0;
    long doubled = 0;
    long stale = 0;
    long hashCompared = 0;
    long hashMismatch = 0;
    long refused = 0;
    long conflictMismatch = 0;
    long repeated = 0;
    Set<String> allVanished = new TreeSet<>();
    List<String> dEx = new ArrayList<>();
    List<String> hEx = new ArrayList<>();
    List<String> cEx = new ArrayList<>();
    List<String> notCompared = new ArrayList<>();
    for (ClientView c : views) {
      String cid = c.clientId();
      if (!VersionVector.parse(c.lastVersion()).equals(sv)) {
        stale++;
        example(dEx, cid + " ends at " + c.lastVersion() + ", server at " + serverVersion);
      }
      Map<String, Integer> got = c.replica().deliveries();
      repeated += c.replica().repeatedAfterWelcome();
      if (c.replica().refusals() > 0) {
        // a change the server sent that a replica could not apply: a failure, not a gap
        refused++;
        example(hEx, cid + ": " + c.replica().incompleteWhy());
      }
      Set<String> own = new HashSet<>(ownKeys.getOrDefault(cid, List.of()));
      VersionVector joined = c.joinVersion() == null ? sv : VersionVector.parse(c.joinVersion());
      for (History.Entry e : h.entries()) {
        int n = got.getOrDefault(e.key(), 0);
        boolean expected = !History.includedIn(e, joined);
        if (!expected) {
          continue;
        }
        if (own.contains(e.key())) {
          if (n > 1) {
            doubled += n - 1;
            example(dEx, cid + " got its own change " + e.key() + " " + n + " times");
          }
        } else if (n == 0) {
          missing++;
          example(dEx, cid + " never got " + e.key() + " (" + e.authorId() + ")");
        } else if (n > 1) {
          doubled += n - 1;
          example(dEx, cid + " got " + e.key() + " " + n + " times");
        }
      }
      for (String k : got.keySet()) {
        if (h.byKey(k) == null) {
          missing++;
          example(dEx, cid + " got " + k + ", which the history does not have");
        }
      }
      if (c.replica().complete()) {
        Doc d = c.replica().doc();
        for (History.Entry e : h.entries()) {
          if (own.contains(e.key())) {
            c.replica().applyOwn(e.change());
          }
        }
        hashCompared++;
        String hash = d.stateHash();
        if (!d.version().equals(sv) || !hash.equals(serverHash) || !d.pending().isEmpty()) {
          hashMismatch++;
          example(
              hEx,
              cid
                  + " replica at "
                  + d.version()
                  + " hash "
                  + hash.substring(0, 12)
                  + " ("
                  + d.pending().size()
                  + " waiting), server "
                  + serverVersion
                  + " "
                  + serverHash.substring(0, Math.min(12, serverHash.length())));
        }
      } else {
        example(notCompared, cid + ": " + c.replica().incompleteWhy());
      }
      Set<String> extra = new TreeSet<>(c.openConflicts());
      extra.removeAll(serverConflicts);
      Set<String> vanished = new TreeSet<>();
      for (String e : extra) {
        if (onDeletedElement(e, present)) {
          vanished.add(e);
        }
      }
      // A conflict whose element was deleted must be closed with a conflict.resolved frame like any
      // other (the crdt reports it since 7be8146): it counts as a difference, and is named apart.
      Set<String> shown = new TreeSet<>(c.openConflicts());
      allVanished.addAll(vanished);
      if (!shown.equals(serverConflicts)) {
        conflictMismatch++;
        example(
            cEx, cid + " shows " + EventReplay.diff(shown, serverConflicts) + " than the server");
      } else if (!c.everOpened().containsAll(serverConflicts)) {
        conflictMismatch++;
        example(cEx, cid + " was never told of some of " + serverConflicts);
      }
      if (!c.problems().isEmpty()) {
        v.check(id + ": " + cid + " protocol problems", false, c.problems().toString());
      }
    }
    v.lost(missing);
    v.dup(doubled);
    v.check(
        id + ": every change delivered exactly once to every client",
        missing == 0 && doubled == 0 && stale == 0,
        views.size()
            + " clients; missing "
            + missing
            + ", doubled "
            + doubled
            + ", behind at the end "
            + stale
            + (dEx.isEmpty() ? "" : "; e.g. " + dEx));
    v.check(
        id + ": client replicas equal the server (version + stateHash)",
        hashMismatch == 0 && refused == 0 && (hashCompared > 0 || views.isEmpty()),
        hashCompared
            + " of "
            + views.size()
            + " replicas compared, "
            + hashMismatch
            + " differ, "
            + refused
            + " refused a change"
            + (hEx.isEmpty() ? "" : "; e.g. " + hEx)
            + (notCompared.isEmpty() ? "" : "; not compared: " + notCompared));
    String replay = conflictMismatch == 0 ? null : EventReplay.firstDivergence(h, serverConflicts);
    v.check(
        id + ": every client shows the server's open conflicts",
        conflictMismatch == 0,
        serverConflicts.size()
            + " open on the server; "
            + conflictMismatch
            + " clients differ"
            + (cEx.isEmpty() ? "" : "; e.g. " + cEx)
            + (replay == null ? "" : "; " + replay));
    v.fact(id + " open conflicts", serverConflicts.size());
    if (!allVanished.isEmpty()) {
      v.finding(
          id
              + ": conflicts "
              + allVanished
              + " closed on the server without a conflict.resolved"
              + " frame: their element was deleted, the clients still show them (a failure)");
    }
    if (repeated > 0) {
      v.finding(
          id
              + ": "
              + repeated
              + " change frames repeated a change the client's welcome already"
              + " contained (counted as doubled: every change must arrive exactly once, in the"
              + " welcome or as a change frame)");
    }

    // 5. conflicts implied by the writes
    if (modelConflicts) {
      RegisterModel m = new RegisterModel(h);
      Map<String, Set<String>> expected = m.expectedConflicts(present);
      Map<String, Set<String>> actual = new HashMap<>();
      for (JsonNode c : conflicts.path("conflicts")) {
        String kind = c.path("kind").asText();
        if (!kind.equals("concurrent_assignment") && !kind.equals("claim")) {
          continue;
        }
        Set<String> ops = new TreeSet<>();
        for (JsonNode i : c.path("intents")) {
          ops.add(i.path("op").asText());
        }
        String reg = ops.isEmpty() ? null : m.registerOf(ops.iterator().next());
        if (reg != null && m.modelled(reg)) {
          actual.put(reg, ops);
        }
      }
      List<String> mEx = new ArrayList<>();
      long wrong = 0;
      for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
        Set<String> a = actual.get(e.getKey());
        if (!e.getValue().equals(a)) {
          wrong++;
          example(mEx, e.getKey() + " expected " + e.getValue() + ", server " + a);
        }
      }
      for (String reg : actual.keySet()) {
        if (!expected.containsKey(reg)) {
          wrong++;
          example(mEx, reg + " in conflict on the server but not implied: " + actual.get(reg));
        }
      }
      v.fact(id + " contended registers", m.contendedRegisters());
      v.fact(id + " conflicts implied by the writes", expected.size());
      v.check(
          id + ": conflicts match what the concurrent writes imply",
          wrong == 0,
          expected.size()
              + " implied, "
              + actual.size()
              + " reported by the server; "
              + wrong
              + " differ"
              + (mEx.isEmpty() ? "" : "; e.g. " + mEx));
    }
  }

  private static final java.util.regex.Pattern ELEMENT =
      java.util.regex.Pattern.compile("\\d+@[A-Za-z0-9_.-]+");

  /** Whether a conflict id names a list element that is no longer in the document. */
  private static boolean onDeletedElement(String conflictId, Set<String> present) {
    java.util.regex.Matcher m = ELEMENT.matcher(conflictId);
    while (m.find()) {
      if (!present.contains(m.group())) {
        return true;
      }
    }
    return false;
  }

  /** Every list element id in a document on the wire ({@code {"id", "value"}} entries). */
  private static void elementIds(JsonNode n, Set<String> out) {
    if (n.isArray()) {
      for (JsonNode e : n) {
        if (e.isObject() && e.has("id") && e.has("value")) {
          out.add(e.get("id").asText());
          elementIds(e.get("value"), out);
        } else {
          elementIds(e, out);
        }
      }
    } else if (n.isObject()) {
      n.forEach(c -> elementIds(c, out));
    }
  }

  private static void example(List<String> l, String s) {
    if (l.size() < 5) {
      l.add(s);
    }
  }
}
