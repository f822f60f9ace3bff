package dev.chorus.crdt.codec;

/** Input that is not a well-formed v1 change, batch or snapshot; the message says where and why. */
public final class CodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
