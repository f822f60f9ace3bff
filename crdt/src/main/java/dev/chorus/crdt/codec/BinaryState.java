package dev.chorus.crdt.codec;

import dev.chorus.crdt.type.Retirement;
import dev.chorus.crdt.type.StateImage;

/**
 * The binary encoding of a {@link StateImage} and of the strings around it, for snapshot format v2
 * (see {@link SnapshotCodec}). Integers are LEB128 varints (signed ones zig-zag), strings UTF-8
 * with their byte length. Strings, authors and version vectors are written once: the first
 * occurrence is tagged 0 and followed by its value, later ones are its index + 1 in the order of
 * first occurrence — replica ids, actor ids, keys and the versions writers had seen repeat on
 * almost every value, so this is most of the saving, and the reader shares one instance of each.
 *
 * <p>{@link BinaryStateWriter} writes it, {@link BinaryStateReader} reads it; this class holds what
 * both must agree on.
 */
final class BinaryState {
  private BinaryState() {}

  // Tags of a value's content.
  static final int NULL = 0;
  static final int STRING = 1;
  static final int TRUE = 2;
  static final int FALSE = 3;
  static final int LONG = 4;
  static final int DOUBLE = 5;
  static final int NEW = 6;

  static final Retirement.Kind[] KINDS = {
    Retirement.Kind.SET, Retirement.Kind.DELETE, Retirement.Kind.MOVE
  };
}
