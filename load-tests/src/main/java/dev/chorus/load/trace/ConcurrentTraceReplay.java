// Replays a concurrent editing trace: one Chorus replica per agent, forking and merging as it did.
package dev.chorus.load.trace;

import dev.chorus.crdt.Container;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.op.Change;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Concurrent replay. Every agent edits its own {@link Doc} replica (replica id {@code "agent<N>"}).
 * Before an agent applies transaction T, its replica is brought to exactly T's parents: the {@link
 * Change}s of T's ancestors that the replica lacks are applied in trace order (the file order is
 * topological), so T's positions resolve against the document as its author saw it. A replica
 * holding anything outside T's ancestry would resolve positions against text the author never saw,
 * so the replay fails on it instead.
 */
public final class ConcurrentTraceReplay {
  private final EditingTrace trace;
  private final List<Doc> replicas = new ArrayList<>();

  /** Per replica: which transactions it contains; always closed under ancestry. */
  private final List<BitSet> contained = new ArrayList<>();

  /**
   * Per replica: the transactions it contains that no other contained transaction descends from.
   */
  private final List<Set<Integer>> heads = new ArrayList<>();

  /**
   * The change that created the shared text, then one change per transaction, in trace order (null
   * for a transaction whose patches changed nothing).
   */
  private final List<Change> history = new ArrayList<>();

  private ConcurrentTraceReplay(EditingTrace trace) {
    this.trace = trace;
    // One text for everyone: had each replica created its own at the same key, they would conflict.
    Doc first = new Doc(replicaId(0));
    history.add(
        first.edit(TraceReplay.TYPIST, null, 0L, e -> e.set(TraceReplay.TEXT, Container.TEXT)));
    replicas.add(first);
    for (int agent = 1; agent < trace.agentCount(); agent++) {
      Doc doc = new Doc(replicaId(agent));
      deliver(doc, history.get(0));
      replicas.add(doc);
    }
    for (int agent = 0; agent < trace.agentCount(); agent++) {
      contained.add(new BitSet());
      heads.add(new HashSet<>());
    }
  }

  /**
   * Replays every transaction of a concurrent trace; each replica ends at its agent's last state.
   */
  public static ConcurrentTraceReplay replay(EditingTrace trace) {
    if (!trace.concurrent() || !trace.startContent().isEmpty()) {
      throw new IllegalArgumentException(
          trace.name() + ": expected a concurrent trace that starts empty");
    }
    ConcurrentTraceReplay replay = new ConcurrentTraceReplay(trace);
    List<TraceTransaction> transactions = trace.transactions();
    for (int index = 0; index < transactions.size(); index++) {
      replay.applyAt(index, transactions.get(index));
    }
    return replay;
  }

  /** The replica id of an agent's document. */
  public static String replicaId(int agent) {
    return "agent" + agent;
  }

  /** One replica per agent, indexed by agent. */
  public List<Doc> replicas() {
    return List.copyOf(replicas);
  }

  /**
   * Delivers every change of the whole trace to every replica (in trace order, which is causal
   * order); changes a replica already has are re-deliveries and must be no-ops.
   */
  public void exchangeAll() {
    for (Doc replica : replicas) {
      for (Change change : history) {
        deliver(replica, change);
      }
    }
  }

  private void applyAt(int index, TraceTransaction txn) {
    int agent = txn.agent();
    Doc doc = replicas.get(agent);
    BitSet has = contained.get(agent);
    Set<Integer> replicaHeads = heads.get(agent);
    BitSet missing = missingAncestors(txn, has);
    for (int i = missing.nextSetBit(0); i >= 0; i = missing.nextSetBit(i + 1)) {
      deliver(doc, history.get(i + 1));
      add(i, has, replicaHeads);
    }
    // The replica now holds all of T's ancestry; it holds exactly that iff its heads are T's
    // parents
    // (T's parents are a frontier: none is an ancestor of another).
    if (!replicaHeads.equals(new HashSet<>(txn.parents()))) {
      throw new IllegalStateException(
          trace.name()
              + ": before transaction "
              + index
              + " agent "
              + agent
              + " is at "
              + replicaHeads
              + ", not at its parents "
              + txn.parents());
    }
    history.add(TraceReplay.applyTransaction(doc, txn, index + 1L));
    add(index, has, replicaHeads);
  }

  /**
   * Applies a change that must be deliverable: every dependency was delivered first, so a buffered
   * change means the replay (or the document) lost track of causality.
   */
  private static void deliver(Doc replica, Change change) {
    if (change != null && replica.apply(change).buffered()) {
      throw new IllegalStateException(
          "change " + change.id() + " was buffered by " + replica.replicaId() + ": deps missing");
    }
  }

  private void add(int index, BitSet has, Set<Integer> replicaHeads) {
    has.set(index);
    replicaHeads.removeAll(trace.transactions().get(index).parents());
    replicaHeads.add(index);
  }

  /**
   * Ancestors of {@code txn} (parents included) not in {@code has}; {@code has} is ancestry-closed.
   */
  private BitSet missingAncestors(TraceTransaction txn, BitSet has) {
    BitSet missing = new BitSet();
    Deque<Integer> todo = new ArrayDeque<>(txn.parents());
    while (!todo.isEmpty()) {
      int i = todo.pop();
      if (has.get(i) || missing.get(i)) {
        continue;
      }
      missing.set(i);
      todo.addAll(trace.transactions().get(i).parents());
    }
    return missing;
  }
}
