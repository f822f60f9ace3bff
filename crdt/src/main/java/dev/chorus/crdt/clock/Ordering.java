package dev.chorus.crdt.clock;

/** How two version vectors relate: one saw strictly less, strictly more, the same, or neither. */
public enum Ordering {
  BEFORE,
  AFTER,
  SAME,
  CONCURRENT
}
