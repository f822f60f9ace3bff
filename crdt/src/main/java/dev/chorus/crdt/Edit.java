package dev.chorus.crdt;

/**
 * What one writer does in one change, said the way a thin client says it: paths and element ids,
 * resolved against the version the writer had seen (its {@code basedOn}), never against values it
 * had not seen. Passed to {@link Doc#edit}; every method throws {@link DocException} for a bad
 * path, type or value, and then nothing of the whole edit is applied.
 *
 * <p>Paths: map keys, and element ids where the path enters a list ({@link Path}).
 */
public interface Edit {

  /**
   * Assigns {@code value} to a map key or, in place, to a list element. The value is a JSON scalar
   * (null, String, Boolean, Integer/Long, Double), a {@link java.util.Map} or {@link
   * java.util.List} (nested maps and lists are created), or a {@link Container} constant for a new
   * empty container.
   */
  void set(Path path, Object value);

  /** Deletes a map key or a list element (what the writer had seen of it). */
  void delete(Path path);

  /**
   * Inserts {@code value} into the list at {@code list} right after element {@code afterId} (null:
   * at the head) and returns the new element's id.
   */
  String insert(Path list, String afterId, Object value);

  /** Inserts {@code value} at the end of the list and returns the new element's id. */
  String append(Path list, Object value);

  /**
   * Moves the element at {@code element} into the list {@code targetList} (the same list or another
   * one) right after element {@code afterId} (null: at the head). The element keeps its id and
   * everything inside it.
   */
  void move(Path element, Path targetList, String afterId);

  /** Adds {@code delta} (negative to subtract) to the counter at {@code counter}. */
  void increment(Path counter, long delta);

  /**
   * Deletes {@code deleteCount} characters of the text at {@code text} from {@code index}, then
   * inserts {@code insert} there. Indexes count Unicode code points (an emoji outside the BMP is
   * one, not two UTF-16 units) of the text as this replica shows it now.
   */
  void spliceText(Path text, int index, int deleteCount, String insert);

  /**
   * Keeps an entry or element that someone deleted while someone else edited it: settles the
   * delete-vs-edit conflict in favour of keeping it.
   */
  void keep(Path path);
}
