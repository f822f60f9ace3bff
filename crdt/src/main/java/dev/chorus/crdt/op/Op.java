package dev.chorus.crdt.op;

import dev.chorus.crdt.clock.OpId;
import java.util.List;
import java.util.Objects;

/**
 * One operation inside a {@link Change}. An op's id is not stored: the ops of a change take
 * consecutive counters from {@link Change#startCounter()}, each as many as its {@link #width()}.
 *
 * <p>Every op names its target by id (never by index or path), so it means the same thing on every
 * replica. Ops that replace values name exactly the values their writer had seen ({@code pred}); a
 * value that is not named survives, and two survivors make a conflict.
 */
public sealed interface Op {

  /** The object (map, list, text or counter) the op works on. */
  OpId target();

  /** How many op ids the op takes: the length of an inserted text run, else 1. */
  default int width() {
    return 1;
  }

  /** Assign {@code value} to {@code key} of map {@code target}, superseding {@code pred}. */
  record MapSet(OpId target, String key, Content value, List<OpId> pred) implements Op {
    public MapSet {
      Objects.requireNonNull(target);
      Objects.requireNonNull(key);
      Objects.requireNonNull(value);
      pred = List.copyOf(pred);
    }
  }

  /** Remove the values {@code pred} of {@code key} (edits their writer had not seen survive). */
  record MapDelete(OpId target, String key, List<OpId> pred) implements Op {
    public MapDelete {
      Objects.requireNonNull(target);
      Objects.requireNonNull(key);
      pred = List.copyOf(pred);
    }
  }

  /**
   * Insert a new element holding {@code value} into list {@code target} between the positions
   * {@code originLeft} and {@code originRight} (null = list start / end). The op id is both the
   * element's id and its first position's id.
   */
  record ListInsert(OpId target, OpId originLeft, OpId originRight, Content value) implements Op {
    public ListInsert {
      Objects.requireNonNull(target);
      Objects.requireNonNull(value);
    }
  }

  /** Replace element {@code element}'s value in place, superseding {@code pred}. */
  record ListSet(OpId target, OpId element, Content value, List<OpId> pred) implements Op {
    public ListSet {
      Objects.requireNonNull(target);
      Objects.requireNonNull(element);
      Objects.requireNonNull(value);
      pred = List.copyOf(pred);
    }
  }

  /** Remove element {@code element}: retire the positions {@code pred} its writer had seen. */
  record ListDelete(OpId target, OpId element, List<OpId> pred) implements Op {
    public ListDelete {
      Objects.requireNonNull(target);
      Objects.requireNonNull(element);
      pred = List.copyOf(pred);
    }
  }

  /**
   * Move element {@code element} to a new position in list {@code target} (possibly another list
   * than the one it is in) between {@code originLeft} and {@code originRight}; the positions {@code
   * pred} are retired. The op id is the new position's id. After Kleppmann, "Moving elements in
   * list CRDTs" (PaPoC 2020): the element's position is a register, so the element never doubles.
   */
  record ListMove(OpId target, OpId element, OpId originLeft, OpId originRight, List<OpId> pred)
      implements Op {
    public ListMove {
      Objects.requireNonNull(target);
      Objects.requireNonNull(element);
      pred = List.copyOf(pred);
    }
  }

  /**
   * Insert {@code text} into text {@code target}; its code point {@code i} gets id {@code opId + i}
   * (an emoji outside the BMP is one atom, not two UTF-16 units).
   */
  record TextInsert(OpId target, OpId originLeft, OpId originRight, String text) implements Op {
    public TextInsert {
      Objects.requireNonNull(target);
      Objects.requireNonNull(text);
      if (text.isEmpty()) {
        throw new IllegalArgumentException("empty text insert");
      }
    }

    @Override
    public int width() {
      return text.codePointCount(0, text.length());
    }
  }

  /** Delete the chars whose ids are in {@code ranges}. */
  record TextDelete(OpId target, List<IdRange> ranges) implements Op {
    public TextDelete {
      Objects.requireNonNull(target);
      ranges = List.copyOf(ranges);
    }
  }

  /** Add {@code delta} to counter {@code target}. */
  record CounterAdd(OpId target, long delta) implements Op {
    public CounterAdd {
      Objects.requireNonNull(target);
    }
  }

  /**
   * Keep an entry that someone deleted while someone else edited it: acknowledges every delete its
   * writer had seen, which resolves the delete-vs-edit conflict in favour of keeping. {@code key}
   * is a map key (then {@code pred} names the values kept), or an element id when {@code target} is
   * a list (then {@code pred} is empty: the element itself is kept).
   */
  record Keep(OpId target, String key, List<OpId> pred) implements Op {
    public Keep {
      Objects.requireNonNull(target);
      Objects.requireNonNull(key);
      pred = List.copyOf(pred);
    }
  }
}
