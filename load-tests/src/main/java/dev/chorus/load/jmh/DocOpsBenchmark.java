// JMH micro-benchmarks of single Doc.edit calls: map/register set, list insert, list move.
package dev.chorus.load.jmh;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.op.Change;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of one local {@code Doc.edit} (building, applying and returning its change) on a board-like
 * document: a map of {@code keys} fields, and two lists ("columns") of {@code listSize} elements
 * each. The document is rebuilt before every iteration, so the history an iteration adds does not
 * pile up over the run. Run with {@code load-tests/bin/jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DocOpsBenchmark {
  private static final Author AUTHOR = Author.human("bench");
  private static final Path FIELDS = Path.parse("fields");
  private static final Path STATUS = Path.parse("fields/status");
  private static final Path TODO = Path.parse("todo");
  private static final Path DONE = Path.parse("done");

  @Param({"1000"})
  public int listSize;

  @Param({"100"})
  public int keys;

  private Doc doc;
  private List<String> todoIds;
  private List<String> doneIds;
  private Path[] fieldPaths;
  private SplittableRandom random;
  private long clock;
  private long edits;

  /**
   * How often the {@code …Compacted} variants compact the history (a server's snapshot cadence).
   */
  static final int COMPACT_EVERY = 10_000;

  @Setup(Level.Iteration)
  public void buildDocument() {
    doc = new Doc("bench");
    random = new SplittableRandom(42);
    todoIds = new ArrayList<>();
    doneIds = new ArrayList<>();
    fieldPaths = new Path[keys];
    for (int i = 0; i < keys; i++) {
      fieldPaths[i] = FIELDS.child("f" + i);
    }
    doc.edit(
        AUTHOR,
        null,
        ++clock,
        e -> {
          e.set(FIELDS, Container.MAP);
          e.set(TODO, Container.LIST);
          e.set(DONE, Container.LIST);
        });
    doc.edit(
        AUTHOR,
        null,
        ++clock,
        e -> {
          for (int i = 0; i < listSize; i++) {
            todoIds.add(e.append(TODO, "card " + i));
            doneIds.add(e.append(DONE, "done " + i));
          }
        });
  }

  /** Overwrites one register again and again: each write supersedes the previous value. */
  @Benchmark
  public Change registerSet() {
    long value = ++clock;
    return doc.edit(AUTHOR, null, value, e -> e.set(STATUS, value));
  }

  /** Sets one of {@code keys} map fields, chosen at random. */
  @Benchmark
  public Change mapSet() {
    Path field = fieldPaths[random.nextInt(keys)];
    long value = ++clock;
    return doc.edit(AUTHOR, null, value, e -> e.set(field, value));
  }

  /** Inserts a new element after a random existing one (the list grows during the iteration). */
  @Benchmark
  public Change listInsert() {
    String after = todoIds.get(random.nextInt(todoIds.size()));
    String[] inserted = new String[1];
    Change change =
        doc.edit(AUTHOR, null, ++clock, e -> inserted[0] = e.insert(TODO, after, "new card"));
    todoIds.add(inserted[0]);
    return change;
  }

  /** Moves a random element to after another random element of the same list (size stays fixed). */
  @Benchmark
  public Change listMoveWithinList() {
    String element = todoIds.get(random.nextInt(todoIds.size()));
    String after = todoIds.get(random.nextInt(todoIds.size()));
    String target = element.equals(after) ? null : after;
    return doc.edit(AUTHOR, null, ++clock, e -> e.move(TODO.child(element), TODO, target));
  }

  /**
   * Moves a random element into the other list, like a card dragged to another column. It always
   * takes from the longer list, so both stay near {@code listSize} however long the iteration runs.
   */
  @Benchmark
  public Change listMoveBetweenLists() {
    boolean fromTodo =
        todoIds.size() != doneIds.size() ? todoIds.size() > doneIds.size() : random.nextBoolean();
    List<String> from = fromTodo ? todoIds : doneIds;
    List<String> to = fromTodo ? doneIds : todoIds;
    String element = from.remove(random.nextInt(from.size()));
    String after = to.get(random.nextInt(to.size()));
    to.add(element);
    Path source = (fromTodo ? TODO : DONE).child(element);
    Path target = fromTodo ? DONE : TODO;
    return doc.edit(AUTHOR, null, ++clock, e -> e.move(source, target, after));
  }

  /**
   * {@link #listInsert} on a replica that compacts its history every {@link #COMPACT_EVERY} edits
   * (its own cost included), as a session server does after each snapshot. The other benchmarks
   * keep every edit's history for the whole iteration — hundreds of thousands of changes that each
   * young collection copies, most of their wall time (docs/benchmarks.md, issue 13 fifth pass).
   */
  @Benchmark
  public Change listInsertCompacted() {
    return compactingNow(listInsert());
  }

  /**
   * {@link #listMoveBetweenLists} with the history compacted as in {@link #listInsertCompacted}.
   */
  @Benchmark
  public Change listMoveBetweenListsCompacted() {
    return compactingNow(listMoveBetweenLists());
  }

  private Change compactingNow(Change change) {
    if (++edits % COMPACT_EVERY == 0) {
      doc.compact(doc.version());
    }
    return change;
  }
}
