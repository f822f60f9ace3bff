package dev.chorus.crdt.op;

import dev.chorus.crdt.clock.OpId;
import java.util.Objects;

/** {@code length} consecutive ids from {@code start}: the chars of one text run. */
public record IdRange(OpId start, int length) {
  public IdRange {
    Objects.requireNonNull(start);
    if (length <= 0) {
      throw new IllegalArgumentException("range length must be positive: " + length);
    }
  }
}
