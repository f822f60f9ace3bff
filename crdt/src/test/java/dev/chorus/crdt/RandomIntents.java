package dev.chorus.crdt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Draws random writer intents against what a replica shows: assignments (scalars and nested
 * containers), deletes, inserts, moves within and across lists, text splices, increments and keeps.
 * Each intent comes with a description, so a failing run can print what it did.
 */
final class RandomIntents {
  static final String[] KEYS = {"a", "b", "status", "title"};
  static final Author[] AUTHORS = {
    Author.human("alice"), Author.agent("bot"), Author.human("carol"), Author.agent("planner")
  };

  record Intent(String description, Consumer<Edit> body) {}

  private final Random rnd;

  RandomIntents(Random rnd) {
    this.rnd = rnd;
  }

  /** The places a writer can aim at, collected from a read. */
  static final class Places {
    final List<Path> maps = new ArrayList<>();
    final List<Path> lists = new ArrayList<>();
    final Map<Path, List<String>> elements = new LinkedHashMap<>();
    final List<Path> texts = new ArrayList<>();
    final Map<Path, Integer> textLengths = new LinkedHashMap<>();
    final List<Path> counters = new ArrayList<>();
    final List<Path> entries = new ArrayList<>();

    static Places of(Value root) {
      Places p = new Places();
      p.walk(Path.ROOT, root);
      return p;
    }

    private void walk(Path at, Value v) {
      if (v instanceof Value.MapValue m) {
        maps.add(at);
        m.entries()
            .forEach(
                (k, child) -> {
                  entries.add(at.child(k));
                  walk(at.child(k), child);
                });
      } else if (v instanceof Value.ListValue l) {
        lists.add(at);
        List<String> ids = new ArrayList<>();
        for (Value.Element e : l.elements()) {
          ids.add(e.id());
          entries.add(at.child(e.id()));
          walk(at.child(e.id()), e.value());
        }
        elements.put(at, ids);
      } else if (v instanceof Value.TextValue t) {
        texts.add(at);
        textLengths.put(at, t.text().length());
      } else if (v instanceof Value.CounterValue) {
        counters.add(at);
      }
    }
  }

  Intent next(Places pl) {
    int kind = rnd.nextInt(100);
    if (kind < 30 && !pl.maps.isEmpty()) {
      Path target = pick(pl.maps).child(KEYS[rnd.nextInt(KEYS.length)]);
      Object v = value(target.segments().size());
      return new Intent("set " + target + " = " + v, e -> e.set(target, v));
    }
    if (kind < 40 && !pl.entries.isEmpty()) {
      Path target = pick(pl.entries);
      return new Intent("delete " + target, e -> e.delete(target));
    }
    if (kind < 55 && !pl.lists.isEmpty()) {
      Path list = pick(pl.lists);
      String after = pickOrNull(pl.elements.get(list));
      Object v = rnd.nextBoolean() ? "s" + rnd.nextInt(100) : Map.of("title", "c" + rnd.nextInt(9));
      return new Intent(
          "insert " + list + " after " + after + " : " + v, e -> e.insert(list, after, v));
    }
    if (kind < 70 && !pl.lists.isEmpty()) {
      Path from = pick(pl.lists);
      List<String> ids = pl.elements.get(from);
      if (!ids.isEmpty()) {
        Path element = from.child(pick(ids));
        Path to = pick(pl.lists);
        String after = pickOrNull(pl.elements.get(to));
        return new Intent(
            "move " + element + " to " + to + " after " + after, e -> e.move(element, to, after));
      }
    }
    if (kind < 82 && !pl.texts.isEmpty()) {
      Path text = pick(pl.texts);
      int len = pl.textLengths.get(text);
      int index = rnd.nextInt(len + 1);
      int del = index < len && rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(Math.min(3, len - index)) : 0;
      String ins = rnd.nextInt(4) == 0 ? "" : "xyzw".substring(0, 1 + rnd.nextInt(4));
      return new Intent(
          "splice " + text + " @" + index + " -" + del + " +" + ins,
          e -> e.spliceText(text, index, del, ins));
    }
    if (kind < 90 && !pl.counters.isEmpty()) {
      Path c = pick(pl.counters);
      long by = rnd.nextInt(7) - 3;
      return new Intent("increment " + c + " " + by, e -> e.increment(c, by));
    }
    if (kind < 94 && !pl.entries.isEmpty()) {
      Path target = pick(pl.entries);
      return new Intent("keep " + target, e -> e.keep(target));
    }
    if (!pl.lists.isEmpty()) {
      Path list = pick(pl.lists);
      List<String> ids = pl.elements.get(list);
      if (!ids.isEmpty()) {
        Path element = list.child(pick(ids));
        Object v = "e" + rnd.nextInt(50);
        return new Intent("set element " + element + " = " + v, e -> e.set(element, v));
      }
    }
    Path target = Path.of("m", KEYS[rnd.nextInt(KEYS.length)]);
    Object v = "v" + rnd.nextInt(20);
    return new Intent("set " + target + " = " + v, e -> e.set(target, v));
  }

  private Object value(int depth) {
    int k = rnd.nextInt(depth > 3 ? 6 : 10);
    return switch (k) {
      case 0, 1 -> "v" + rnd.nextInt(20);
      case 2 -> (long) rnd.nextInt(100);
      case 3 -> rnd.nextBoolean();
      case 4 -> rnd.nextDouble();
      case 5 -> null;
      case 6 -> Map.of("title", "n" + rnd.nextInt(9), "status", "todo");
      case 7 -> List.of("i" + rnd.nextInt(9), "j" + rnd.nextInt(9));
      case 8 -> Container.TEXT;
      default -> Container.COUNTER;
    };
  }

  /** A batch's intents, for a failing run's log. */
  static String describe(List<Intent> batch) {
    StringBuilder sb = new StringBuilder("[");
    for (Intent i : batch) {
      sb.append(i.description()).append("; ");
    }
    return sb.append(']').toString();
  }

  Author author() {
    return AUTHORS[rnd.nextInt(AUTHORS.length)];
  }

  private <T> T pick(List<T> l) {
    return l.get(rnd.nextInt(l.size()));
  }

  private String pickOrNull(List<String> l) {
    return l.isEmpty() || rnd.nextInt(4) == 0 ? null : pick(l);
  }

  /** A few more edits on whatever exists at the top level, to check a replica still merges. */
  void seedMore(Edit e) {
    e.set(Path.of("m2"), Map.of("k", "v" + rnd.nextInt(9)));
    e.set(Path.of("t2"), Container.TEXT);
    e.spliceText(Path.of("t2"), 0, 0, "fresh");
  }

  /** The document every simulation starts from. */
  static void seed(Edit e) {
    e.set(Path.of("m"), Map.of("status", "todo"));
    e.set(Path.of("l1"), List.of("a", "b", "c"));
    e.set(Path.of("l2"), List.of(Map.of("title", "card")));
    e.set(Path.of("t"), Container.TEXT);
    e.spliceText(Path.of("t"), 0, 0, "abc");
    e.set(Path.of("n"), Container.COUNTER);
  }
}
