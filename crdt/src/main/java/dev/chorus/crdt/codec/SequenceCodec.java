package dev.chorus.crdt.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.type.StateImage.RunImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The compact snapshot encoding of one list or text sequence, in the spirit of Yjs's and
 * Automerge's columnar formats: what can be derived is not written.
 *
 * <ul>
 *   <li>{@code runs}: one row of five integers per insert run (atoms with consecutive ids typed in
 *       one go), however deletes split it since: replica index, counter delta from the previous
 *       row, length, left origin code, right origin code. Origin codes: 0 = none, 1 = the atom next
 *       to the run in list order (the usual case), k ≥ 2 = {@code origins[k - 2]}.
 *   <li>{@code hidden}: deleted atoms as id ranges (replica index, counter delta, length).
 *   <li>{@code textless}: atoms whose chars are not kept (compacted tombstones); texts only.
 *   <li>{@code text}: the kept chars, in list order.
 * </ul>
 */
final class SequenceCodec {
  private SequenceCodec() {}

  private record Row(String replica, long counter, int len, OpId left, OpId right) {
    OpId first() {
      return new OpId(counter, replica);
    }

    OpId last() {
      return new OpId(counter + len - 1, replica);
    }
  }

  static ObjectNode encode(List<RunImage> runs, boolean text) {
    List<Row> rows = new ArrayList<>();
    Map<String, Integer> replicas = new LinkedHashMap<>();
    List<long[]> hidden = new ArrayList<>();
    List<long[]> textless = new ArrayList<>();
    StringBuilder chars = new StringBuilder();
    for (RunImage r : runs) {
      String rep = r.id().replica();
      int ri = replicas.computeIfAbsent(rep, k -> replicas.size());
      Row last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
      if (last != null
          && last.replica().equals(rep)
          && last.counter() + last.len() == r.id().counter()
          && last.last().equals(r.originLeft())
          && Objects.equals(last.right(), r.originRight())) {
        rows.set(
            rows.size() - 1,
            new Row(rep, last.counter(), last.len() + r.length(), last.left(), last.right()));
      } else {
        rows.add(new Row(rep, r.id().counter(), r.length(), r.originLeft(), r.originRight()));
      }
      if (!r.visible()) {
        addRange(hidden, ri, r.id().counter(), r.length());
      }
      if (r.text() == null) {
        addRange(textless, ri, r.id().counter(), r.length());
      } else {
        chars.append(r.text());
      }
    }
    ObjectNode o = Json.NODES.objectNode();
    ArrayNode reps = o.putArray("replicas");
    replicas.keySet().forEach(reps::add);
    ArrayNode rowsOut = o.putArray("runs");
    ArrayNode origins = o.putArray("origins");
    long prevCounter = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      rowsOut.add(replicas.get(row.replica())).add(row.counter() - prevCounter).add(row.len());
      prevCounter = row.counter();
      OpId before = i == 0 ? null : rows.get(i - 1).last();
      OpId after = i + 1 < rows.size() ? rows.get(i + 1).first() : null;
      rowsOut.add(code(row.left(), before, origins)).add(code(row.right(), after, origins));
    }
    o.set("hidden", ranges(hidden));
    if (text) {
      o.set("textless", ranges(textless));
      o.put("text", chars.toString());
    }
    return o;
  }

  private static int code(OpId origin, OpId neighbour, ArrayNode origins) {
    if (origin == null) {
      return 0;
    }
    if (origin.equals(neighbour)) {
      return 1;
    }
    origins.add(origin.toString());
    return origins.size() + 1;
  }

  private static void addRange(List<long[]> ranges, int ri, long counter, int len) {
    long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
    if (last != null && last[0] == ri && last[1] + last[2] == counter) {
      last[2] += len;
    } else {
      ranges.add(new long[] {ri, counter, len});
    }
  }

  private static ArrayNode ranges(List<long[]> unsorted) {
    // In id order, ranges that were apart in the list join and deltas stay small.
    List<long[]> ranges = new ArrayList<>(unsorted);
    ranges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    List<long[]> joined = new ArrayList<>();
    for (long[] r : ranges) {
      addRange(joined, (int) r[0], r[1], (int) r[2]);
    }
    ArrayNode a = Json.NODES.arrayNode();
    long prev = 0;
    for (long[] r : joined) {
      a.add(r[0]).add(r[1] - prev).add(r[2]);
      prev = r[1];
    }
    return a;
  }

  // ---- decoding ----------------------------------------------------------------------------

  static List<RunImage> decode(JsonNode n, boolean text, String w) {
    Json.object(n, w);
    List<String> replicas = new ArrayList<>();
    for (JsonNode r : Json.array(n, "replicas", w)) {
      replicas.add(r.asText());
    }
    List<String> origins = new ArrayList<>();
    for (JsonNode r : Json.array(n, "origins", w)) {
      origins.add(r.asText());
    }
    long[] flat = ints(Json.array(n, "runs", w), 5, w + ".runs");
    List<Row> rows = new ArrayList<>();
    int[][] codes = new int[flat.length / 5][];
    long counter = 0;
    for (int i = 0; i < flat.length; i += 5) {
      counter += flat[i + 1];
      rows.add(new Row(replica(replicas, flat[i], w), counter, (int) flat[i + 2], null, null));
      codes[i / 5] = new int[] {(int) flat[i + 3], (int) flat[i + 4]};
    }
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      OpId before = i == 0 ? null : rows.get(i - 1).last();
      OpId after = i + 1 < rows.size() ? rows.get(i + 1).first() : null;
      rows.set(
          i,
          new Row(
              r.replica(),
              r.counter(),
              r.len(),
              origin(codes[i][0], before, origins, w),
              origin(codes[i][1], after, origins, w)));
    }
    Map<String, TreeMap<Long, Long>> hidden = rangeMap(n.get("hidden"), replicas, w + ".hidden");
    Map<String, TreeMap<Long, Long>> textless =
        text ? rangeMap(n.get("textless"), replicas, w + ".textless") : null;
    String chars = text ? Json.text(n, "text", w) : "";
    int at = 0;
    List<RunImage> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.len() <= 0) {
        throw new CodecException(w + ": a run has a positive length");
      }
      TreeSet<Long> cuts = new TreeSet<>();
      cuts.add(r.counter());
      cuts.add(r.counter() + r.len());
      addCuts(cuts, hidden.get(r.replica()), r);
      if (textless != null) {
        addCuts(cuts, textless.get(r.replica()), r);
      } else {
        // a list position is one atom: one run each
        for (long c = r.counter() + 1; c < r.counter() + r.len(); c++) {
          cuts.add(c);
        }
      }
      Long a = cuts.first();
      for (Long b : cuts.tailSet(a, false)) {
        int len = (int) (b - a);
        boolean visible = !inside(hidden.get(r.replica()), a);
        String t = null;
        if (textless != null && !inside(textless.get(r.replica()), a)) {
          if (at + len > chars.length()) {
            throw new CodecException(w + ": text is shorter than its runs");
          }
          t = chars.substring(at, at + len);
          at += len;
        }
        OpId left = a == r.counter() ? r.left() : new OpId(a - 1, r.replica());
        out.add(new RunImage(new OpId(a, r.replica()), len, left, r.right(), visible, t));
        a = b;
      }
    }
    if (at != chars.length()) {
      throw new CodecException(w + ": text is longer than its runs");
    }
    return out;
  }

  private static OpId origin(int code, OpId neighbour, List<String> origins, String w) {
    if (code == 0) {
      return null;
    }
    if (code == 1) {
      if (neighbour == null) {
        throw new CodecException(w + ": origin code 1 at the sequence edge");
      }
      return neighbour;
    }
    if (code - 2 >= origins.size() || code < 0) {
      throw new CodecException(w + ": origin code " + code + " out of range");
    }
    return Json.id(origins.get(code - 2), w + ".origins");
  }

  private static void addCuts(TreeSet<Long> cuts, TreeMap<Long, Long> ranges, Row r) {
    if (ranges == null) {
      return;
    }
    long start = r.counter();
    long end = r.counter() + r.len();
    Map.Entry<Long, Long> before = ranges.floorEntry(start);
    if (before != null && before.getValue() > start && before.getValue() < end) {
      cuts.add(before.getValue());
    }
    for (Map.Entry<Long, Long> e : ranges.subMap(start, false, end, false).entrySet()) {
      cuts.add(e.getKey());
      if (e.getValue() < end) {
        cuts.add(e.getValue());
      }
    }
  }

  private static boolean inside(TreeMap<Long, Long> ranges, long counter) {
    if (ranges == null) {
      return false;
    }
    Map.Entry<Long, Long> e = ranges.floorEntry(counter);
    return e != null && counter < e.getValue();
  }

  /** Ranges by replica: start counter → end counter (exclusive). */
  private static Map<String, TreeMap<Long, Long>> rangeMap(
      JsonNode n, List<String> replicas, String w) {
    Map<String, TreeMap<Long, Long>> out = new LinkedHashMap<>();
    if (n == null) {
      throw new CodecException(w + ": missing");
    }
    if (!n.isArray()) {
      throw new CodecException(w + ": expected an array");
    }
    long[] flat = ints((ArrayNode) n, 3, w);
    long counter = 0;
    for (int i = 0; i < flat.length; i += 3) {
      counter += flat[i + 1];
      if (flat[i + 2] <= 0) {
        throw new CodecException(w + ": a range has a positive length");
      }
      out.computeIfAbsent(replica(replicas, flat[i], w), k -> new TreeMap<>())
          .put(counter, counter + flat[i + 2]);
    }
    return out;
  }

  private static String replica(List<String> replicas, long index, String w) {
    if (index < 0 || index >= replicas.size()) {
      throw new CodecException(w + ": replica index " + index + " out of range");
    }
    return replicas.get((int) index);
  }

  private static long[] ints(ArrayNode a, int stride, String w) {
    if (a.size() % stride != 0) {
      throw new CodecException(w + ": expected rows of " + stride + " integers");
    }
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = a.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new CodecException(w + ": expected integers");
      }
      out[i] = v.longValue();
    }
    return out;
  }
}
