/**
 * Encodings of changes and snapshots, kept out of the CRDT types: JSON (Jackson) for changes and
 * snapshot format v1 (its state image in {@code JsonStateImage}, around which {@link
 * dev.chorus.crdt.codec.SnapshotCodec} puts the versions and the history), and the binary snapshot
 * ({@link dev.chorus.crdt.codec.BinarySnapshot}) whose state image is written by {@code
 * BinaryStateWriter} and read by {@code BinaryStateReader}, with the tags both agree on in {@code
 * BinaryState}.
 */
package dev.chorus.crdt.codec;
