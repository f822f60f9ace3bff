package dev.chorus.crdt;

import dev.chorus.crdt.type.DocState;

/**
 * How much state a replica retains: counts, not bytes, so tests can check that memory stays bounded
 * without timing or heap measurements.
 *
 * @param objects containers (maps, lists, texts, counters), the root included
 * @param elements list elements with their value and position registers
 * @param registerValues values held in map entries and element registers, live or retired
 * @param sequenceRuns runs in all list and text sequences, tombstones included
 * @param tombstoneAtoms deleted chars and retired list positions still kept for their ids
 * @param tombstoneChars deleted chars whose text is still kept
 * @param historyChanges changes kept for resume and strict writes
 * @param pendingChanges changes waiting for their dependencies
 */
public record DocStats(
    int objects,
    int elements,
    int registerValues,
    int sequenceRuns,
    int tombstoneAtoms,
    int tombstoneChars,
    int historyChanges,
    int pendingChanges) {

  static DocStats of(DocState st, int history, int pending) {
    int[] c = st.counts();
    return new DocStats(c[0], c[1], c[2], c[3], c[4], c[5], history, pending);
  }
}
