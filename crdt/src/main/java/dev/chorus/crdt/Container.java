package dev.chorus.crdt;

/** The kinds of nested container a document value can be. */
public enum Container {
  MAP,
  LIST,
  TEXT,
  COUNTER;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
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
