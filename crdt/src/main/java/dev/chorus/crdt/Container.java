package dev.chorus.crdt;

/** The kinds of nested container a document value can be. */
public enum Container {
  MAP,
  LIST,
  TEXT,
  COUNTER;

  // Computed once: a snapshot writes the type of every container (tens of thousands).
  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  public String wireName() {
    return wireName;
  }

  /**
   * Parses the wire form.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Container fromWire(String s) {
    for (Container c : values()) {
      if (c.wireName().equals(s)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown container type: " + s);
  }
}
