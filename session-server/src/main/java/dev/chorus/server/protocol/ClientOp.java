package dev.chorus.server.protocol;

/**
 * One thin-client op of a batch ({@code docs/protocol.md}, "Ops"): an intent expressed with paths
 * and element ids, turned into CRDT ops by the session against the writer's {@code basedOn} view.
 *
 * <p>Paths are kept as strings here because they may contain {@code $N} references to elements
 * inserted earlier in the same batch; the session resolves them. Values are plain Java trees (see
 * {@link Values}).
 */
public sealed interface ClientOp {

  /** The path the op names (for {@code move}: the element moved). */
  String path();

  /** The wire name of the op. */
  String name();

  record Set(String path, Object value) implements ClientOp {
    public String name() {
      return "set";
    }
  }

  record Delete(String path) implements ClientOp {
    public String name() {
      return "delete";
    }
  }

  record Insert(String path, String after, Object value) implements ClientOp {
    public String name() {
      return "insert";
    }
  }

  record Move(String path, String to, String after) implements ClientOp {
    public String name() {
      return "move";
    }
  }

  record Increment(String path, long by) implements ClientOp {
    public String name() {
      return "increment";
    }
  }

  record Splice(String path, int index, int delete, String insert) implements ClientOp {
    public String name() {
      return "splice";
    }
  }

  record Keep(String path) implements ClientOp {
    public String name() {
      return "keep";
    }
  }

  record Claim(String path, long leaseMs) implements ClientOp {
    public String name() {
      return "claim";
    }
  }

  record Release(String path) implements ClientOp {
    public String name() {
      return "release";
    }
  }
}
