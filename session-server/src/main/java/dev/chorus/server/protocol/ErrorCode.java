package dev.chorus.server.protocol;

import java.util.Locale;

/**
 * The stable error codes of protocol v1 ({@code docs/protocol.md}, "Error codes"). The wire name is
 * the lower-case enum name; the HTTP status is what REST answers with.
 */
public enum ErrorCode {
  UNAUTHORIZED(401),
  FORBIDDEN(403),
  BAD_FRAME(400),
  UNKNOWN_TYPE(400),
  HELLO_REQUIRED(400),
  INVALID_OP(422),
  PATH_NOT_FOUND(422),
  SCHEMA_VIOLATION(422),
  PRECONDITION_FAILED(412),
  STALE_BASE(409),
  BATCH_ID_REUSED(409),
  CONFLICT_NOT_FOUND(409),
  TOO_LARGE(413),
  RATE_LIMITED(429),
  OVERLOADED(503),
  SHUTTING_DOWN(503),
  SLOW_CONSUMER(503),
  NOT_FOUND(404),
  INTERNAL(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
