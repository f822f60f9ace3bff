package dev.chorus.server.session;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.Edit;
import dev.chorus.crdt.Path;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ClientOp;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The translate stage of a write: a batch's client ops become edits of the CRDT. Paths are parsed
 * first ({@link #resolve}), with {@code $N} segments kept as references to the element the batch's
 * N-th op (an insert) creates; {@link #translate} then runs them against an {@link Edit}, filling
 * the references in as the inserts make their ids; {@link #appliedOpsJson} echoes the ops as
 * applied (references replaced by ids) for change frames and the op log. Stateless.
 */
final class OpTranslation {
  private static final Pattern REF = Pattern.compile("\\$(\\d{1,4})");

  private OpTranslation() {}

  /**
   * A client op with its paths parsed.
   *
   * @param valueJson the op's value as JSON (set, insert), encoded once: its length counts towards
   *     the document size limit and it is echoed in the change frame; null for other ops
   */
  record ResolvedOp(
      ClientOp op, List<String> path, List<String> to, String after, String valueJson) {
    /** Whether the op's path goes through an element this batch creates. */
    boolean createsPath() {
      return hasRef(path);
    }

    /** Whether the op's destination (move) goes through an element this batch creates. */
    boolean createsDestination() {
      return to != null && hasRef(to);
    }
  }

  /** Parses the paths of every op and checks the {@code $N} references; throws a client error. */
  static List<ResolvedOp> resolve(List<ClientOp> ops) {
    List<ResolvedOp> out = new ArrayList<>(ops.size());
    for (int i = 0; i < ops.size(); i++) {
      ClientOp op = ops.get(i);
      String where = "ops[" + i + "] (" + op.name() + "): ";
      List<String> path = parsePath(op.path(), i, ops, where);
      List<String> to = null;
      String after = null;
      String valueJson = null;
      if (op instanceof ClientOp.Move m) {
        to = parsePath(m.to(), i, ops, where);
        after = checkRef(m.after(), i, ops, where);
      } else if (op instanceof ClientOp.Insert in) {
        after = checkRef(in.after(), i, ops, where);
        valueJson = json(in.value());
      } else if (op instanceof ClientOp.Set s) {
        valueJson = json(s.value());
      }
      if ((op instanceof ClientOp.Claim || op instanceof ClientOp.Release)
          && !(path.size() == 2 && path.get(0).equals("tasks"))) {
        throw new ChorusException(
            ErrorCode.INVALID_OP, where + "claim/release take a task path tasks/<id>");
      }
      if (path.isEmpty() && !(op instanceof ClientOp.Insert)) {
        throw new ChorusException(
            ErrorCode.INVALID_OP, where + "the root cannot be " + op.name() + "d");
      }
      out.add(new ResolvedOp(op, path, to, after, valueJson));
    }
    return out;
  }

  /** About how many bytes the ops add to the document (their values' and inserted text's JSON). */
  static long addedBytes(List<ResolvedOp> ops) {
    long n = 0;
    for (ResolvedOp r : ops) {
      if (r.valueJson() != null) {
        n += r.valueJson().length();
      } else if (r.op() instanceof ClientOp.Splice s) {
        n += s.insert().length();
      }
    }
    return n;
  }

  /** Runs the ops against {@code e}; {@code ids[i]} receives the id the i-th op (insert) made. */
  static void translate(Edit e, List<ResolvedOp> ops, String[] ids, Author author, long now) {
    for (int i = 0; i < ops.size(); i++) {
      ResolvedOp r = ops.get(i);
      Path p = path(r.path(), ids);
      ClientOp op = r.op();
      if (op instanceof ClientOp.Set s) {
        write(e, p, s.value());
      } else if (op instanceof ClientOp.Delete) {
        e.delete(p);
      } else if (op instanceof ClientOp.Insert in) {
        ids[i] = insert(e, p, deref(r.after(), ids), in.value());
      } else if (op instanceof ClientOp.Move) {
        e.move(p, path(r.to(), ids), deref(r.after(), ids));
      } else if (op instanceof ClientOp.Increment inc) {
        e.increment(p, inc.by());
      } else if (op instanceof ClientOp.Splice sp) {
        e.spliceText(p, sp.index(), sp.delete(), sp.insert());
      } else if (op instanceof ClientOp.Keep) {
        e.keep(p);
      } else if (op instanceof ClientOp.Claim c) {
        e.set(p.child("claim"), claimValue(author, now + c.leaseMs()));
      } else if (op instanceof ClientOp.Release) {
        e.set(p.child("claim"), null);
      }
    }
  }

  /** The ops as applied, a JSON array: references replaced by the ids the inserts made. */
  static String appliedOpsJson(List<ResolvedOp> ops, String[] ids) {
    int size = 2;
    for (ResolvedOp r : ops) {
      size += 96 + (r.valueJson() != null ? r.valueJson().length() : 0);
    }
    StringBuilder b = new StringBuilder(size).append('[');
    for (int i = 0; i < ops.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      writeApplied(b, ops.get(i), ids, i);
    }
    return b.append(']').toString();
  }

  private static void writeApplied(StringBuilder b, ResolvedOp r, String[] ids, int i) {
    ClientOp op = r.op();
    Values.quoted(b.append("{\"op\":"), op.name());
    Values.quoted(b.append(",\"path\":"), path(r.path(), ids).toString());
    if (op instanceof ClientOp.Set) {
      b.append(",\"value\":").append(r.valueJson());
    } else if (op instanceof ClientOp.Insert) {
      Values.quotedOrNull(b.append(",\"after\":"), deref(r.after(), ids));
      b.append(",\"value\":").append(r.valueJson());
      Values.quotedOrNull(b.append(",\"id\":"), ids[i]);
    } else if (op instanceof ClientOp.Move) {
      Values.quoted(b.append(",\"to\":"), path(r.to(), ids).toString());
      Values.quotedOrNull(b.append(",\"after\":"), deref(r.after(), ids));
    } else if (op instanceof ClientOp.Increment inc) {
      b.append(",\"by\":").append(inc.by());
    } else if (op instanceof ClientOp.Splice sp) {
      b.append(",\"index\":").append(sp.index());
      b.append(",\"delete\":").append(sp.delete());
      Values.quotedOrNull(b.append(",\"insert\":"), sp.insert());
    } else if (op instanceof ClientOp.Claim c) {
      b.append(",\"leaseMs\":").append(c.leaseMs());
    }
    b.append('}');
  }

  /** The value a claim writes at {@code tasks/<id>/claim}. */
  static Map<String, Object> claimValue(Author a, long until) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("actor", a.actorId());
    m.put("kind", a.kind().wireName());
    m.put("until", until);
    return m;
  }

  static boolean hasRef(List<String> segs) {
    for (String s : segs) {
      if (REF.matcher(s).matches()) {
        return true;
      }
    }
    return false;
  }

  private static String json(Object value) {
    return Values.write(new StringBuilder(64), value).toString();
  }

  private static List<String> parsePath(String s, int i, List<ClientOp> ops, String where) {
    List<String> segs;
    try {
      segs = Path.parse(s).segments();
    } catch (IllegalArgumentException e) {
      throw new ChorusException(ErrorCode.BAD_FRAME, where + e.getMessage());
    }
    for (String seg : segs) {
      checkRef(seg, i, ops, where);
    }
    return segs;
  }

  /** Validates a {@code $N} reference: N must be an earlier insert of the batch. */
  private static String checkRef(String seg, int i, List<ClientOp> ops, String where) {
    if (seg != null) {
      var m = REF.matcher(seg);
      if (m.matches()) {
        int n = Integer.parseInt(m.group(1));
        if (n >= i || !(ops.get(n) instanceof ClientOp.Insert)) {
          throw new ChorusException(
              ErrorCode.INVALID_OP,
              where + "$" + n + " must name an earlier insert op of the same batch");
        }
      }
    }
    return seg;
  }

  private static String deref(String seg, String[] ids) {
    if (seg != null && seg.startsWith("$")) {
      var m = REF.matcher(seg);
      if (m.matches()) {
        return ids[Integer.parseInt(m.group(1))];
      }
    }
    return seg;
  }

  private static Path path(List<String> segs, String[] ids) {
    List<String> out = new ArrayList<>(segs.size());
    for (String s : segs) {
      out.add(deref(s, ids));
    }
    return new Path(out);
  }

  /** Writes a value; markers ({@code $text}, {@code $counter}) are created then filled. */
  private static void write(Edit e, Path p, Object v) {
    if (!Values.hasMarkers(v)) {
      e.set(p, v);
      return;
    }
    e.set(p, containerOf(v));
    fill(e, p, v);
  }

  private static String insert(Edit e, Path list, String after, Object v) {
    if (!Values.hasMarkers(v)) {
      return e.insert(list, after, v);
    }
    String id = e.insert(list, after, containerOf(v));
    fill(e, list.child(id), v);
    return id;
  }

  private static Container containerOf(Object v) {
    if (v instanceof Values.TextInit) {
      return Container.TEXT;
    }
    if (v instanceof Values.CounterInit) {
      return Container.COUNTER;
    }
    if (v instanceof Map) {
      return Container.MAP;
    }
    return Container.LIST;
  }

  private static void fill(Edit e, Path p, Object v) {
    if (v instanceof Values.TextInit t) {
      if (!t.text().isEmpty()) {
        e.spliceText(p, 0, 0, t.text());
      }
    } else if (v instanceof Values.CounterInit c) {
      if (c.value() != 0) {
        e.increment(p, c.value());
      }
    } else if (v instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> en : m.entrySet()) {
        write(e, p.child((String) en.getKey()), en.getValue());
      }
    } else if (v instanceof List<?> l) {
      String prev = null;
      for (Object item : l) {
        prev = insert(e, p, prev, item);
      }
    }
  }
}
