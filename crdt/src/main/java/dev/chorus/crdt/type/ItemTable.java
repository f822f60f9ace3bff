package dev.chorus.crdt.type;

import dev.chorus.crdt.clock.OpId;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A document's list elements by id: an open-addressing hash table (linear probing, deletion by
 * backward shift) of the elements themselves, each found by its own {@link Item#id}.
 *
 * <p>Why not a {@code HashMap<OpId, Item>}: every list insert keeps one element for good, and the
 * map kept a 32-byte node per element besides its table slot — a twentieth of what an insert kept
 * alive, copied by every young collection — and every lookup went through the node to the key. Here
 * an element costs its slot (4–8 bytes at the load this table keeps).
 *
 * <p>Its methods are the {@code Map} methods the state used, keyed by the element's own id.
 * Iteration order is the table's. Mutable, not thread-safe.
 */
final class ItemTable {
  private static final int MIN_SLOTS = 16;

  private Item[] slots = new Item[MIN_SLOTS];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  Item get(OpId id) {
    int mask = slots.length - 1;
    for (int i = home(id, mask); ; i = (i + 1) & mask) {
      Item item = slots[i];
      if (item == null || item.id.equals(id)) {
        return item;
      }
    }
  }

  boolean containsKey(OpId id) {
    return get(id) != null;
  }

  /** Adds {@code item}, or replaces the element with its id. */
  void put(Item item) {
    if (2 * (size + 1) > slots.length) {
      resize(slots.length * 2); // at most half full: short probes
    }
    if (place(slots, item)) {
      size++;
    }
  }

  /** Removes and returns the element with {@code id}, or returns null. */
  Item remove(OpId id) {
    int mask = slots.length - 1;
    int i = home(id, mask);
    while (slots[i] != null && !slots[i].id.equals(id)) {
      i = (i + 1) & mask;
    }
    Item removed = slots[i];
    if (removed == null) {
      return null;
    }
    // backward shift: move up every later element of the run that may sit at or before the hole
    int hole = i;
    for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
      int h = home(slots[j].id, mask);
      // slot j's element may move to the hole if its home is not cyclically in (hole, j]
      if (((j - h) & mask) >= ((j - hole) & mask)) {
        slots[hole] = slots[j];
        hole = j;
      }
    }
    slots[hole] = null;
    size--;
    return removed;
  }

  /** Every element, in table order; a view, not to be used across a change. */
  Collection<Item> values() {
    return new AbstractCollection<>() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Iterator<Item> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            while (from < slots.length && slots[from] == null) {
              from++;
            }
            return from;
          }

          @Override
          public boolean hasNext() {
            return next < slots.length;
          }

          @Override
          public Item next() {
            if (next >= slots.length) {
              throw new NoSuchElementException();
            }
            Item item = slots[next];
            next = advance(next + 1);
            return item;
          }
        };
      }
    };
  }

  /** Puts {@code item} into {@code table}; whether it was new (not replacing one with its id). */
  private static boolean place(Item[] table, Item item) {
    int mask = table.length - 1;
    int i = home(item.id, mask);
    while (table[i] != null) {
      if (table[i].id.equals(item.id)) {
        table[i] = item;
        return false;
      }
      i = (i + 1) & mask;
    }
    table[i] = item;
    return true;
  }

  private void resize(int length) {
    Item[] grown = new Item[length];
    for (Item item : slots) {
      if (item != null) {
        place(grown, item);
      }
    }
    slots = grown;
  }

  /** Fibonacci hashing, high bits folded down: consecutive counters spread over any table. */
  private static int home(OpId id, int mask) {
    int h = id.hashCode() * 0x9E3779B9;
    return (h ^ (h >>> 16)) & mask;
  }
}
