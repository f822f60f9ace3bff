package dev.chorus.crdt.op;

import dev.chorus.crdt.Container;
import java.util.Objects;

/**
 * What an assignment or insert puts into a register: a JSON scalar, or a new empty container whose
 * id is the id of the op that creates it.
 */
public sealed interface Content {

  /**
   * A JSON scalar: {@code null}, a {@link String}, a {@link Boolean}, a {@link Long} or a {@link
   * Double}. Other numbers are normalised on construction so that equal values encode equally.
   */
  record Scalar(Object value) implements Content {
    public Scalar {
      value = normalise(value);
    }

    private static Object normalise(Object v) {
      if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long) {
        return v;
      }
      if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException("numbers must be finite: " + v);
        }
        return d;
      }
      throw new IllegalArgumentException(
          "not a JSON scalar: " + v.getClass().getSimpleName() + " " + v);
    }
  }

  /** A new, empty container. */
  record New(Container type) implements Content {
    public New {
      Objects.requireNonNull(type, "type");
    }
  }

  static Content of(Object scalarOrContainer) {
    return scalarOrContainer instanceof Container c ? new New(c) : new Scalar(scalarOrContainer);
  }
}
