// One transaction of an editing trace: the patches one author applied together.
package dev.chorus.load.trace;

import java.util.List;

/**
 * A group of patches applied as one unit, one after another. In a concurrent trace, {@code parents}
 * are the indexes of the earlier transactions whose combined result the patches were made against
 * and {@code agent} is who made them. In a sequential trace each transaction implicitly follows the
 * previous one; there {@code parents} is empty and {@code agent} is 0.
 */
public record TraceTransaction(List<TracePatch> patches, List<Integer> parents, int agent) {
  public TraceTransaction {
    patches = List.copyOf(patches);
    parents = List.copyOf(parents);
  }
}
