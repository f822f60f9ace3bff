package dev.chorus.server.auth;

import java.util.Locale;

/** What a token lets its actor do in the sessions it grants. */
public enum Role {
  /** Read, presence; no writes. */
  VIEWER,
  /** Read and write. */
  EDITOR,
  /** Everything an editor does (session administration comes later). */
  OWNER;

  public boolean canWrite() {
    return this != VIEWER;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role fromWire(String s) {
    for (Role r : values()) {
      if (r.wireName().equals(s)) {
        return r;
      }
    }
    throw new IllegalArgumentException("role must be viewer, editor or owner: " + s);
  }
}
