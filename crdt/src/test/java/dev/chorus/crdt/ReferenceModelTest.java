package dev.chorus.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * One writer that always sees the latest version must get exactly what a plain JSON tree gets: no
 * CRDT surprises in sequential use. Seeded; a failure prints seed and steps.
 */
class ReferenceModelTest {

  /** The plain model: maps, lists of (id, value), texts as builders, counters as long[1]. */
  record Element(String id, Object value) {}

  @Test
  void sequentialEdits_agreeWithAPlainJsonModel() {
    for (long seed = 0; seed < 300; seed++) {
      List<String> log = new ArrayList<>();
      try {
        run(seed, log);
      } catch (AssertionError | RuntimeException e) {
        fail("seed " + seed + " failed: " + e + "\n" + String.join("\n", log), e);
      }
    }
  }

  private static void run(long seed, List<String> log) {
    Random rnd = new Random(seed);
    Doc doc = new Doc("r0");
    Map<String, Object> model = new TreeMap<>();
    Author a = Author.human("alice");
    for (int step = 0; step < 80; step++) {
      RandomIntents.Places pl = RandomIntents.Places.of(doc.read());
      int k = rnd.nextInt(7);
      if (k == 0 || pl.lists.isEmpty()) {
        String key = "k" + rnd.nextInt(4);
        Object v =
            switch (rnd.nextInt(4)) {
              case 0 -> List.of("x" + rnd.nextInt(9), "y");
              case 1 -> Map.of("title", "t" + rnd.nextInt(9));
              case 2 -> Container.TEXT;
              default -> (long) rnd.nextInt(100);
            };
        log.add("set " + key + " = " + v);
        doc.edit(a, null, step, e -> e.set(Path.of(key), v));
        model.put(key, modelValue(v, doc, Path.of(key)));
      } else if (k == 1) {
        Path list = pl.lists.get(rnd.nextInt(pl.lists.size()));
        List<String> ids = pl.elements.get(list);
        String after = ids.isEmpty() || rnd.nextBoolean() ? null : ids.get(rnd.nextInt(ids.size()));
        String v = "v" + rnd.nextInt(99);
        log.add("insert " + list + " after " + after + " " + v);
        String id = insert(doc, a, list, after, v);
        List<Element> l = listAt(model, list);
        l.add(after == null ? 0 : indexOf(l, after) + 1, new Element(id, v));
      } else if (k == 2) {
        Path list = pl.lists.get(rnd.nextInt(pl.lists.size()));
        List<String> ids = pl.elements.get(list);
        if (ids.isEmpty()) {
          continue;
        }
        String id = ids.get(rnd.nextInt(ids.size()));
        Path to = pl.lists.get(rnd.nextInt(pl.lists.size()));
        List<String> toIds = pl.elements.get(to);
        String after =
            toIds.isEmpty() || rnd.nextBoolean() ? null : toIds.get(rnd.nextInt(toIds.size()));
        if (id.equals(after)) {
          continue;
        }
        log.add("move " + list + "/" + id + " to " + to + " after " + after);
        doc.edit(a, null, step, e -> e.move(list.child(id), to, after));
        List<Element> from = listAt(model, list);
        Element el = from.remove(indexOf(from, id));
        List<Element> dest = listAt(model, to);
        dest.add(after == null ? 0 : indexOf(dest, after) + 1, el);
      } else if (k == 3) {
        Path list = pl.lists.get(rnd.nextInt(pl.lists.size()));
        List<String> ids = pl.elements.get(list);
        if (ids.isEmpty()) {
          continue;
        }
        String id = ids.get(rnd.nextInt(ids.size()));
        log.add("delete " + list + "/" + id);
        doc.edit(a, null, step, e -> e.delete(list.child(id)));
        List<Element> l = listAt(model, list);
        l.remove(indexOf(l, id));
      } else if (k == 4 && !pl.texts.isEmpty()) {
        Path t = pl.texts.get(rnd.nextInt(pl.texts.size()));
        int len = pl.textLengths.get(t);
        int index = rnd.nextInt(len + 1);
        int del = rnd.nextInt(len - index + 1);
        String ins = "abc".substring(rnd.nextInt(3));
        log.add("splice " + t + " " + index + " -" + del + " +" + ins);
        doc.edit(a, null, step, e -> e.spliceText(t, index, del, ins));
        ((StringBuilder) model.get(t.segments().get(0))).replace(index, index + del, ins);
      } else if (k == 5) {
        String key = "k" + rnd.nextInt(4);
        if (!model.containsKey(key)) {
          continue;
        }
        log.add("delete " + key);
        doc.edit(a, null, step, e -> e.delete(Path.of(key)));
        model.remove(key);
      }
      assertEquals(plain(model), doc.toPlain(), "after step " + step);
      assertEquals(List.of(), doc.conflicts(), "a single writer never conflicts");
    }
  }

  private static String insert(Doc doc, Author a, Path list, String after, String v) {
    String[] id = new String[1];
    doc.edit(a, null, 0, e -> id[0] = e.insert(list, after, v));
    return id[0];
  }

  private static Object modelValue(Object v, Doc doc, Path at) {
    if (v instanceof List<?> l) {
      Value.ListValue lv = (Value.ListValue) valueAt(doc.read(), at);
      List<Element> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        out.add(new Element(lv.elements().get(i).id(), l.get(i)));
      }
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      return new TreeMap<>(m);
    }
    if (v == Container.TEXT) {
      return new StringBuilder();
    }
    return v;
  }

  private static Value valueAt(Value v, Path p) {
    for (String s : p.segments()) {
      v = ((Value.MapValue) v).entries().get(s);
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static List<Element> listAt(Map<String, Object> model, Path p) {
    if (p.segments().size() != 1) {
      throw new IllegalStateException("the model keeps lists at the top level only: " + p);
    }
    return (List<Element>) model.get(p.segments().get(0));
  }

  private static int indexOf(List<Element> l, String id) {
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i).id().equals(id)) {
        return i;
      }
    }
    throw new IllegalStateException("no element " + id);
  }

  private static Object plain(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      new TreeMap<>(m).forEach((k, x) -> out.put((String) k, plain(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object e : l) {
        out.add(plain(e instanceof Element el ? el.value() : e));
      }
      return out;
    }
    if (v instanceof StringBuilder sb) {
      return sb.toString();
    }
    return v;
  }
}
