package dev.chorus.crdt;

/** Who made a change: a person or an AI agent. Conflicts show it beside every competing intent. */
public enum ActorKind {
  HUMAN,
  AGENT;

  // every change the codec writes names its author's kind: not lower-cased again each time
  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  /** {@code "human"} or {@code "agent"}, the wire form. */
  public String wireName() {
    return wireName;
  }

  /**
   * Parses the wire form.
   *
   * @throws IllegalArgumentException for anything but {@code human} or {@code agent}
   */
  public static ActorKind fromWire(String s) {
    if ("human".equals(s)) {
      return HUMAN;
    }
    if ("agent".equals(s)) {
      return AGENT;
    }
    throw new IllegalArgumentException("actor kind must be \"human\" or \"agent\": " + s);
  }
}
