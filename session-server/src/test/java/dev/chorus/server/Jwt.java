package dev.chorus.server;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Hand-made HS256 tokens, to test what the server's own minting never produces. */
final class Jwt {
  private Jwt() {}

  static String hs256(String secret, String payloadJson) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header =
        b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String payload = b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String sig =
        b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.UTF_8)));
    return header + "." + payload + "." + sig;
  }

  static String claims(String sub, String kind, String session, String role, long exp) {
    return "{\"sub\":\""
        + sub
        + "\",\"kind\":\""
        + kind
        + "\",\"sessions\":[\""
        + session
        + "\"],\"role\":\""
        + role
        + "\",\"exp\":"
        + exp
        + "}";
  }
}
