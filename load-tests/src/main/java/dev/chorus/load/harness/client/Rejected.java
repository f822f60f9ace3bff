package dev.chorus.load.harness.client;

/**
 * A batch the server refused with a non-retryable error (e.g. {@code path_not_found} after a
 * concurrent delete, {@code precondition_failed}): nothing of it was applied. Or a batch the client
 * gave up on (code {@code gave_up}) after its retry budget.
 */
public final class Rejected extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String code;
  private final String batchId;

  public Rejected(String code, String batchId, String message) {
    super(code + " (" + batchId + "): " + message, null, false, false);
    this.code = code;
    this.batchId = batchId;
  }

  public String code() {
    return code;
  }

  public String batchId() {
    return batchId;
  }
}
