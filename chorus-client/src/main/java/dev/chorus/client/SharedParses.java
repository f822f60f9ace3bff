package dev.chorus.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The frames parsed lately on one thread, so the clients of a fleet on one event loop parse a
 * broadcast once: a node sends one frame to every participant, and each connection decodes it into
 * its own {@link String}, equal but not the same. Parsed trees are shared read-only (see {@link
 * ChorusListener}).
 *
 * <p>Found without hashing the frame: {@link String#hashCode} reads every character (a fleet's
 * clients would each hash every frame — it was the fleet's largest single cost, more than the one
 * parse it saved), so an entry is found by a fingerprint of the length and a few characters spread
 * over the text, then confirmed with {@link String#equals} — which stops at the first difference
 * between two frames and compares the rest in wide words when they are equal. A fingerprint that
 * matches a different frame costs that comparison and nothing else: a frame is only ever given the
 * tree of an equal text.
 *
 * <p>A ring of the last {@value #SIZE} frames parsed, newest looked at first. Not thread-safe: one
 * per thread ({@link ChorusClient} keeps one per event loop thread).
 */
final class SharedParses {
  static final int SIZE = 64;
  private static final int SAMPLES = 16;

  private final String[] texts = new String[SIZE];
  private final JsonNode[] trees = new JsonNode[SIZE];
  private final int[] prints = new int[SIZE];
  private final ObjectMapper json;
  private int next;
  private long parses;

  SharedParses(ObjectMapper json) {
    this.json = json;
  }

  /** The tree of {@code text}: one parsed here lately, or a fresh parse. */
  JsonNode parse(String text) throws JsonProcessingException {
    int print = fingerprint(text);
    int i = next;
    for (int k = 0; k < SIZE; k++) {
      i = (i == 0 ? SIZE : i) - 1; // newest first, without a division per step
      if (prints[i] == print && text.equals(texts[i])) {
        return trees[i];
      }
    }
    JsonNode tree = json.readTree(text);
    parses++;
    texts[next] = text;
    trees[next] = tree;
    prints[next] = print;
    next = (next + 1) % SIZE;
    return tree;
  }

  /** How many frames this thread parsed (the rest were shared): for tests. */
  long parses() {
    return parses;
  }

  /**
   * The length and {@value #SAMPLES} characters spread evenly over the text, the first and the last
   * among them, hashed: a frame's distinguishing part (its batch id, version, values) is anywhere.
   */
  static int fingerprint(String s) {
    int n = s.length();
    int h = n;
    if (n == 0) {
      return h;
    }
    for (int k = 0; k < SAMPLES; k++) {
      h = 31 * h + s.charAt((int) ((long) k * (n - 1) / (SAMPLES - 1)));
    }
    return h;
  }
}
