package dev.chorus.server.session;

import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.op.Change;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape of a session's document: its initial content and the rules every write is checked
 * against before anything is applied ({@code docs/protocol.md}, "Shapes").
 *
 * <p>Rules are a small schema tree walked along the op's path: an op that places a value checks the
 * value against the rule at its destination; a delete checks that the destination is not required.
 * Paths under no rule ({@link Rule#ANY}) accept anything. Immutable and thread-safe.
 */
public final class Shape {
  public static final String AGENT_SESSION = "agent-session";
  public static final String GENERIC = "generic";

  /** Task, step, instruction status values. */
  public static final Set<String> TASK_STATUS = Set.of("todo", "doing", "done", "cancelled");

  public static final Set<String> STEP_STATUS =
      Set.of("todo", "doing", "done", "cancelled", "skipped");
  public static final Set<String> INSTRUCTION_STATUS = Set.of("open", "taken", "done", "rejected");

  private final String name;
  private final Rule root;
  private final Map<String, Object> initial;

  private Shape(String name, Rule root, Map<String, Object> initial) {
    this.name = name;
    this.root = root;
    this.initial = initial;
  }

  public static Shape of(String name) {
    if (AGENT_SESSION.equals(name)) {
      return agentSession();
    }
    if (GENERIC.equals(name)) {
      return new Shape(GENERIC, Rule.ANY, new LinkedHashMap<>());
    }
    throw new ChorusException(
        ErrorCode.BAD_FRAME, "unknown shape \"" + name + "\" (agent-session or generic)");
  }

  public String name() {
    return name;
  }

  /**
   * The initial content as one change, or null if there is none. The change is the same on every
   * node (replica {@value Session#INIT_REPLICA}, time 0): nodes of a cluster that open a new
   * session at once write one change, not competing ones.
   */
  Change initialChange() {
    Map<String, Object> init = initialContent();
    if (init.isEmpty()) {
      return null;
    }
    Doc seed = new Doc(Session.INIT_REPLICA);
    return seed.edit(
        Session.SERVER,
        seed.version(),
        0L,
        e -> init.forEach((k, v) -> e.set(Path.ROOT.child(k), v)));
  }

  /** A fresh copy of the initial document (the first change of a new session). */
  public Map<String, Object> initialContent() {
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) deepCopy(initial);
    return copy;
  }

  private static Object deepCopy(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> c = new LinkedHashMap<>();
      m.forEach((k, x) -> c.put((String) k, deepCopy(x)));
      return c;
    }
    if (v instanceof List<?> l) {
      List<Object> c = new ArrayList<>();
      l.forEach(x -> c.add(deepCopy(x)));
      return c;
    }
    return v;
  }

  /** Checks a value about to be placed at {@code path} (set, or insert into the list at path). */
  public void checkPlace(List<String> path, Object value, boolean intoList) {
    Rule r = ruleAt(path);
    if (intoList) {
      if (r.kind == Kind.LIST) {
        r.item.check(value, pathString(path) + "/<new>");
      }
      return;
    }
    r.check(value, pathString(path));
  }

  /** Checks a delete of {@code path}. */
  public void checkDelete(List<String> path) {
    if (path.isEmpty()) {
      throw violation("", "the document root cannot be deleted");
    }
    Rule parent = ruleAt(path.subList(0, path.size() - 1));
    if (parent.kind == Kind.MAP && parent.required.contains(path.get(path.size() - 1))) {
      throw violation(pathString(path), "is required and cannot be deleted");
    }
  }

  /** The rule for a path (list element segments step into the item rule). */
  Rule ruleAt(List<String> path) {
    Rule r = root;
    for (String seg : path) {
      switch (r.kind) {
        case ANY:
          return Rule.ANY;
        case MAP:
          Rule f = r.fields.get(seg);
          r = f != null ? f : r.other;
          break;
        case LIST:
          r = r.item;
          break;
        default:
          // a scalar has no children: let the document report the bad path
          return Rule.ANY;
      }
    }
    return r;
  }

  static String pathString(List<String> path) {
    return String.join("/", path);
  }

  static ChorusException violation(String path, String rule) {
    return new ChorusException(
        ErrorCode.SCHEMA_VIOLATION, (path.isEmpty() ? "root" : path) + ": " + rule);
  }

  enum Kind {
    ANY,
    MAP,
    LIST,
    STRING,
    ENUM,
    STEP,
    CLAIM
  }

  /** One node of the schema tree. */
  static final class Rule {
    static final Rule ANY = new Rule(Kind.ANY);

    final Kind kind;
    final Map<String, Rule> fields = new LinkedHashMap<>();
    Set<String> required = Set.of();
    Rule other = ANY;
    Rule item = ANY;
    Set<String> values = Set.of();
    boolean nullable;

    Rule(Kind kind) {
      this.kind = kind;
    }

    static Rule map(Map<String, Rule> fields, Set<String> required) {
      Rule r = new Rule(Kind.MAP);
      r.fields.putAll(fields);
      r.required = required;
      return r;
    }

    static Rule list(Rule item) {
      Rule r = new Rule(Kind.LIST);
      r.item = item;
      return r;
    }

    static Rule string(boolean nullable) {
      Rule r = new Rule(Kind.STRING);
      r.nullable = nullable;
      return r;
    }

    static Rule oneOf(Set<String> values) {
      Rule r = new Rule(Kind.ENUM);
      r.values = values;
      return r;
    }

    Rule withOther(Rule o) {
      this.other = o;
      return this;
    }

    void check(Object v, String where) {
      switch (kind) {
        case ANY:
          return;
        case STRING:
          if (v == null && nullable) {
            return;
          }
          if (!(v instanceof String) && !(v instanceof Values.TextInit)) {
            throw violation(where, "must be a string" + (nullable ? " or null" : ""));
          }
          return;
        case ENUM:
          if (!(v instanceof String s) || !values.contains(s)) {
            throw violation(where, "must be one of " + sorted(values) + ", got " + describe(v));
          }
          return;
        case STEP:
          if (v instanceof String) {
            return;
          }
          fields.get("$map").check(v, where);
          return;
        case CLAIM:
          if (v == null) {
            return;
          }
          if (!(v instanceof Map<?, ?> m)
              || !(m.get("actor") instanceof String)
              || !(m.get("until") instanceof Long)) {
            throw violation(
                where, "must be null or {\"actor\": string, \"kind\", \"until\": epoch ms}");
          }
          return;
        case LIST:
          if (!(v instanceof List<?> l)) {
            throw violation(where, "must be a list");
          }
          for (Object e : l) {
            item.check(e, where + "/<element>");
          }
          return;
        case MAP:
          if (!(v instanceof Map<?, ?> m)) {
            throw violation(where, "must be an object");
          }
          for (String req : required) {
            if (!m.containsKey(req)) {
              throw violation(where, "needs \"" + req + "\"");
            }
          }
          for (Map.Entry<?, ?> e : m.entrySet()) {
            String k = (String) e.getKey();
            Rule f = fields.get(k);
            (f != null ? f : other).check(e.getValue(), where + "/" + k);
          }
          return;
        default:
          throw new IllegalStateException(kind.toString());
      }
    }

    private static String describe(Object v) {
      return v instanceof String s ? "\"" + s + "\"" : String.valueOf(Values.toJson(v));
    }

    private static List<String> sorted(Set<String> s) {
      List<String> l = new ArrayList<>(s);
      l.sort(null);
      return l;
    }
  }

  private static Shape agentSession() {
    Rule title = Rule.string(false);
    Rule step = new Rule(Kind.STEP);
    step.fields.put(
        "$map",
        Rule.map(Map.of("title", title, "status", Rule.oneOf(STEP_STATUS)), Set.of("title")));
    Rule card = Rule.map(Map.of("title", title), Set.of());
    Rule column =
        Rule.map(
            Map.of("title", title, "id", Rule.string(false), "cards", Rule.list(card)),
            Set.of("title", "cards"));
    Rule board = Rule.map(Map.of("columns", Rule.list(column)), Set.of("columns"));
    Rule task =
        Rule.map(
            Map.of(
                "title",
                title,
                "status",
                Rule.oneOf(TASK_STATUS),
                "assignee",
                Rule.string(true),
                "claim",
                new Rule(Kind.CLAIM)),
            Set.of());
    Rule tasks = Rule.map(Map.of(), Set.of()).withOther(task);
    Rule instruction =
        Rule.map(
            Map.of(
                "text", Rule.string(false),
                "author", Rule.string(true),
                "status", Rule.oneOf(INSTRUCTION_STATUS),
                "takenBy", Rule.string(true)),
            Set.of("text"));
    Rule root =
        Rule.map(
            Map.of(
                "plan",
                Rule.list(step),
                "board",
                board,
                "tasks",
                tasks,
                "instructions",
                Rule.list(instruction)),
            Set.of("plan", "board", "tasks", "instructions"));

    Map<String, Object> init = new LinkedHashMap<>();
    init.put("plan", new ArrayList<>());
    List<Object> columns = new ArrayList<>();
    for (String[] c : new String[][] {{"todo", "To do"}, {"doing", "Doing"}, {"done", "Done"}}) {
      Map<String, Object> col = new LinkedHashMap<>();
      col.put("id", c[0]);
      col.put("title", c[1]);
      col.put("cards", new ArrayList<>());
      columns.add(col);
    }
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("columns", columns);
    init.put("board", b);
    init.put("tasks", new LinkedHashMap<>());
    init.put("instructions", new ArrayList<>());
    return new Shape(AGENT_SESSION, root, init);
  }
}
