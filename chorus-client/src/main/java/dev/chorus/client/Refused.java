package dev.chorus.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The server refused a batch or request for good (retrying the same thing would not help): {@code
 * code} is the protocol's stable error code, {@code body} the whole error (e.g. {@code unseen} with
 * {@code precondition_failed}).
 */
public final class Refused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final transient JsonNode body;

  public Refused(String code, String message, JsonNode body) {
    super(code + ": " + message, null, false, false);
    this.code = code;
    this.body = body;
  }

  static Refused of(JsonNode error) {
    return new Refused(error.path("code").asText(), error.path("message").asText(), error);
  }

  public String code() {
    return code;
  }

  public JsonNode body() {
    return body;
  }
}
