package dev.chorus.crdt.codec;

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
 * The compact form of one list or text sequence that both snapshot formats write (v1 as JSON in
 * {@link SequenceCodec}, binary in {@link BinaryState}), in the spirit of Yjs's and Automerge's
 * columnar formats: what can be derived is not written.
 *
 * @param replicas the replica ids the rows and ranges refer to by index
 * @param rows five integers per insert run (atoms with consecutive ids typed in one go), however
 *     deletes split it since: replica index, counter delta from the previous row, length, left
 *     origin code, right origin code. Origin codes: 0 = none, 1 = the atom next to the run in list
 *     order (the usual case), k ≥ 2 = {@code origins[k - 2]}
 * @param origins the origins that are not a neighbour
 * @param hidden deleted atoms as id ranges (replica index, counter delta, length), in id order
 * @param textless atoms whose text is not kept (compacted tombstones), like {@code hidden}; empty
 *     for lists
 * @param text the kept text, in list order; empty for lists
 */
record SequenceLayout(
    List<String> replicas,
    long[] rows,
    List<OpId> origins,
    long[] hidden,
    long[] textless,
    String text) {

  static final int ROW = 5;
  static final int RANGE = 3;

  private record Row(String replica, long counter, int len, OpId left, OpId right) {
    OpId first() {
      return new OpId(counter, replica);
    }

    OpId last() {
      return new OpId(counter + len - 1, replica);
    }
  }

  static SequenceLayout of(List<RunImage> runs, boolean isText) {
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
    long[] flat = new long[rows.size() * ROW];
    List<OpId> origins = new ArrayList<>();
    long prevCounter = 0;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      OpId before = i == 0 ? null : rows.get(i - 1).last();
      OpId after = i + 1 < rows.size() ? rows.get(i + 1).first() : null;
      flat[i * ROW] = replicas.get(row.replica());
      flat[i * ROW + 1] = row.counter() - prevCounter;
      flat[i * ROW + 2] = row.len();
      flat[i * ROW + 3] = code(row.left(), before, origins);
      flat[i * ROW + 4] = code(row.right(), after, origins);
      prevCounter = row.counter();
    }
    return new SequenceLayout(
        List.copyOf(replicas.keySet()),
        flat,
        origins,
        ranges(hidden),
        isText ? ranges(textless) : new long[0],
        chars.toString());
  }

  private static int code(OpId origin, OpId neighbour, List<OpId> origins) {
    if (origin == null) {
      return 0;
    }
    if (origin.equals(neighbour)) {
      return 1;
    }
    origins.add(origin);
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

  /** In id order, ranges that were apart in the list join and deltas stay small. */
  private static long[] ranges(List<long[]> unsorted) {
    List<long[]> ranges = new ArrayList<>(unsorted);
    ranges.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    List<long[]> joined = new ArrayList<>();
    for (long[] r : ranges) {
      addRange(joined, (int) r[0], r[1], (int) r[2]);
    }
    long[] flat = new long[joined.size() * RANGE];
    long prev = 0;
    for (int i = 0; i < joined.size(); i++) {
      long[] r = joined.get(i);
      flat[i * RANGE] = r[0];
      flat[i * RANGE + 1] = r[1] - prev;
      flat[i * RANGE + 2] = r[2];
      prev = r[1];
    }
    return flat;
  }

  // ---- back to runs ------------------------------------------------------------------------

  /**
   * The runs this layout describes; {@code isText} says whether it is a text (a list position is
   * one atom, so one run each). Throws a {@link CodecException} naming {@code w} if it is
   * inconsistent.
   */
  List<RunImage> runs(boolean isText, String w) {
    if (rows.length % ROW != 0) {
      throw new CodecException(w + ".runs: expected rows of " + ROW + " integers");
    }
    List<Row> decoded = new ArrayList<>(rows.length / ROW);
    long counter = 0;
    for (int i = 0; i < rows.length; i += ROW) {
      counter += rows[i + 1];
      if (rows[i + 2] <= 0 || rows[i + 2] > Integer.MAX_VALUE) {
        throw new CodecException(w + ": a run has a positive length");
      }
      decoded.add(new Row(replica(rows[i], w), counter, (int) rows[i + 2], null, null));
    }
    for (int i = 0; i < decoded.size(); i++) {
      Row r = decoded.get(i);
      OpId before = i == 0 ? null : decoded.get(i - 1).last();
      OpId after = i + 1 < decoded.size() ? decoded.get(i + 1).first() : null;
      decoded.set(
          i,
          new Row(
              r.replica(),
              r.counter(),
              r.len(),
              origin(rows[i * ROW + 3], before, w),
              origin(rows[i * ROW + 4], after, w)));
    }
    Map<String, TreeMap<Long, Long>> hiddenBy = rangeMap(hidden, w + ".hidden");
    Map<String, TreeMap<Long, Long>> textlessBy =
        isText ? rangeMap(textless, w + ".textless") : null;
    String chars = isText ? text : "";
    int at = 0;
    List<RunImage> out = new ArrayList<>();
    for (Row r : decoded) {
      TreeSet<Long> cuts = new TreeSet<>();
      cuts.add(r.counter());
      cuts.add(r.counter() + r.len());
      addCuts(cuts, hiddenBy.get(r.replica()), r);
      if (textlessBy != null) {
        addCuts(cuts, textlessBy.get(r.replica()), r);
      } else {
        for (long c = r.counter() + 1; c < r.counter() + r.len(); c++) {
          cuts.add(c);
        }
      }
      Long a = cuts.first();
      for (Long b : cuts.tailSet(a, false)) {
        int len = (int) (b - a);
        boolean visible = !inside(hiddenBy.get(r.replica()), a);
        String t = null;
        if (textlessBy != null && !inside(textlessBy.get(r.replica()), a)) {
          int end; // len atoms are len code points
          try {
            end = chars.offsetByCodePoints(at, len);
          } catch (IndexOutOfBoundsException e) {
            throw new CodecException(w + ": text is shorter than its runs");
          }
          t = chars.substring(at, end);
          at = end;
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

  private OpId origin(long code, OpId neighbour, String w) {
    if (code == 0) {
      return null;
    }
    if (code == 1) {
      if (neighbour == null) {
        throw new CodecException(w + ": origin code 1 at the sequence edge");
      }
      return neighbour;
    }
    if (code < 0 || code - 2 >= origins.size()) {
      throw new CodecException(w + ": origin code " + code + " out of range");
    }
    return origins.get((int) (code - 2));
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
  private Map<String, TreeMap<Long, Long>> rangeMap(long[] flat, String w) {
    if (flat.length % RANGE != 0) {
      throw new CodecException(w + ": expected rows of " + RANGE + " integers");
    }
    Map<String, TreeMap<Long, Long>> out = new LinkedHashMap<>();
    long counter = 0;
    for (int i = 0; i < flat.length; i += RANGE) {
      counter += flat[i + 1];
      if (flat[i + 2] <= 0) {
        throw new CodecException(w + ": a range has a positive length");
      }
      out.computeIfAbsent(replica(flat[i], w), k -> new TreeMap<>())
          .put(counter, counter + flat[i + 2]);
    }
    return out;
  }

  private String replica(long index, String w) {
    if (index < 0 || index >= replicas.size()) {
      throw new CodecException(w + ": replica index " + index + " out of range");
    }
    return replicas.get((int) index);
  }
}
