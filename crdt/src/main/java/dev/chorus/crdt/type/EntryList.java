package dev.chorus.crdt.type;

import java.util.AbstractList;
import java.util.Arrays;

/**
 * A register's values: the first inline, the rest in an array made only when a second comes.
 *
 * <p>Why: almost every register holds one value all its life (a list element's value and its
 * position, two registers per element), and an {@code ArrayList} of one kept 48 bytes alive in two
 * objects (the list and its array of one); this keeps 32 in one.
 */
final class EntryList extends AbstractList<Entry> {
  private Entry first;
  // entries 1.. size-1, made when a second value comes
  private Entry[] rest;
  private int size;

  @Override
  public int size() {
    return size;
  }

  @Override
  public Entry get(int i) {
    checkIndex(i, size);
    return i == 0 ? first : rest[i - 1];
  }

  @Override
  public Entry set(int i, Entry e) {
    Entry before = get(i);
    if (i == 0) {
      first = e;
    } else {
      rest[i - 1] = e;
    }
    return before;
  }

  @Override
  public void add(int i, Entry e) {
    checkIndex(i, size + 1);
    modCount++;
    if (size == 0) {
      first = e;
      size = 1;
      return;
    }
    if (rest == null) {
      rest = new Entry[2];
    } else if (size - 1 == rest.length) {
      rest = Arrays.copyOf(rest, rest.length * 2);
    }
    if (i == 0) {
      System.arraycopy(rest, 0, rest, 1, size - 1);
      rest[0] = first;
      first = e;
    } else {
      System.arraycopy(rest, i - 1, rest, i, size - i);
      rest[i - 1] = e;
    }
    size++;
  }

  @Override
  public Entry remove(int i) {
    Entry removed = get(i);
    modCount++;
    if (i == 0) {
      first = size > 1 ? rest[0] : null;
      i = 1; // the rest shift down from rest[0], now first
    }
    if (size > 1) {
      System.arraycopy(rest, i, rest, i - 1, size - 1 - i);
      rest[size - 2] = null;
    }
    size--;
    return removed;
  }

  private static void checkIndex(int i, int bound) {
    if (i < 0 || i >= bound) {
      throw new IndexOutOfBoundsException(i);
    }
  }
}
