package dev.chorus.crdt;

/**
 * The one error type of the document API. {@link #code()} is stable and goes onto the wire as is;
 * when an edit throws it, nothing of that edit was applied.
 */
public final class DocException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The stable error codes. */
  public enum Code {
    PATH_NOT_FOUND,
    NOT_A_MAP,
    NOT_A_LIST,
    NOT_A_TEXT,
    NOT_A_COUNTER,
    INVALID_VALUE,
    INDEX_OUT_OF_RANGE,
    MOVE_INTO_SELF,
    STALE_BASE,
    UNKNOWN_BASE,
    INVALID_CHANGE;

    /** The snake_case wire form, e.g. {@code path_not_found}. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Code code;

  public DocException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
