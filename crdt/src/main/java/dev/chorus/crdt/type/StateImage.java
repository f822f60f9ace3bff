package dev.chorus.crdt.type;

import dev.chorus.crdt.Author;
import dev.chorus.crdt.Container;
import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Content;
import java.util.List;
import java.util.Map;

/**
 * A plain, format-neutral image of a {@link DocState}: what the snapshot codec writes and reads.
 * {@link #of(DocState)} takes one; {@link #restore(DocState)} rebuilds an identical state (same
 * reads, same conflicts, same decisions on later ops) into an empty one.
 *
 * @param root the root map, containers nested under the values that hold them
 * @param items every list element (its value's containers nested), by id
 */
public record StateImage(ObjImage root, List<ItemImage> items) {

  /**
   * A container. Maps fill {@code registers}; lists and texts {@code runs}; counters {@code
   * counter}.
   */
  public record ObjImage(
      OpId id,
      Container type,
      Map<String, List<EntryImage>> registers,
      List<RunImage> runs,
      long counter,
      AggImage agg) {}

  /** A register value, with the container it holds, if any. */
  public record EntryImage(
      OpId id,
      Author author,
      long timestamp,
      Content content,
      List<Retirement> retiredBy,
      ObjImage child) {}

  /** A run of a sequence; {@code text} is null for list positions and dropped tombstones. */
  public record RunImage(
      OpId id, int length, OpId originLeft, OpId originRight, boolean visible, String text) {}

  /** A list element: value register, position register (position id -> list id), aggregate. */
  public record ItemImage(
      OpId id,
      List<EntryImage> value,
      List<PositionImage> positions,
      List<Retirement> keptDeletes,
      AggImage agg) {}

  public record PositionImage(
      OpId id, OpId list, Author author, long timestamp, List<Retirement> retiredBy) {}

  /**
   * @param touch per replica: last op, start of its change, newest op of earlier changes
   * @param ack everything the writers of these ops had seen
   * @param actors the latest op per actor
   */
  public record AggImage(Map<String, long[]> touch, VersionVector ack, List<Touch> actors) {}

  public static StateImage of(DocState st) {
    return new StateImageWriter(st).image();
  }

  /** Loads this image into {@code empty}, a fresh {@link DocState}. */
  public void restore(DocState empty) {
    new StateImageReader(empty).load(this);
  }
}
