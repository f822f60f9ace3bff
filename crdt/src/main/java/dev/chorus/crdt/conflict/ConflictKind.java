package dev.chorus.crdt.conflict;

/** The kinds of contradicting intent the document keeps and surfaces instead of dropping one. */
public enum ConflictKind {
  /** Concurrent assignments to one field: every value stays live until a write that saw all. */
  CONCURRENT_ASSIGNMENT,
  /** A delete that had not seen a concurrent edit of the item: the item stays, the edit wins. */
  DELETE_VS_EDIT,
  /** Concurrent moves of one element to different places: one deterministic destination wins. */
  MOVE_VS_MOVE;

  /** {@code concurrent_assignment}, {@code delete_vs_edit}, {@code move_vs_move}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
