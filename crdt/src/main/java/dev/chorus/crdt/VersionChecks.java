package dev.chorus.crdt;

import dev.chorus.crdt.DocException.Code;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;

/**
 * The refusals of a {@link Doc} that come from versions alone: a base it does not know or has
 * compacted away ({@code unknown_base}, {@code stale_base}), a change overlapping what it applied
 * ({@code invalid_change}), a compaction past what it has. Apart from {@link Doc} so these rules
 * and their messages, which clients see, sit in one place and the facade reads as the flow of a
 * write.
 */
final class VersionChecks {
  private VersionChecks() {}

  /** An edit's explicit {@code base}: known here and not older than the horizon. */
  static void editBase(VersionVector base, VersionVector version, VersionVector horizon) {
    if (!version.dominates(base)) {
      throw new DocException(
          Code.UNKNOWN_BASE, "version " + base + " is not known here (have " + version + ")");
    }
    if (!base.dominates(horizon)) {
      throw new DocException(
          Code.STALE_BASE,
          "version " + base + " is older than the compacted history (" + horizon + "); re-read");
    }
  }

  /**
   * A change delivered to a replica at {@code version}: not overlapping the changes it applied from
   * the same replica, not based below the horizon.
   */
  static void delivered(Change change, VersionVector version, VersionVector horizon) {
    if (version.get(change.replica()) > change.prevCounter()) {
      throw new DocException(
          Code.INVALID_CHANGE,
          "change "
              + change.id()
              + " overlaps changes already applied from "
              + change.replica()
              + " (have up to "
              + version.get(change.replica())
              + ")");
    }
    if (!change.basedOn().dominates(horizon)) {
      throw new DocException(
          Code.STALE_BASE, "change " + change.id() + " is based below the compaction horizon");
    }
  }

  /** A read of the changes since {@code since}: none of them compacted away. */
  static void historySince(VersionVector since, VersionVector horizon) {
    if (!since.dominates(horizon)) {
      throw new DocException(
          Code.STALE_BASE, "history before " + horizon + " was compacted; fetch a snapshot");
    }
  }

  /** A read of what a writer at {@code basedOn} had not seen: its base within the history kept. */
  static void unseenBase(VersionVector basedOn, VersionVector horizon) {
    if (!basedOn.dominates(horizon)) {
      throw new DocException(
          Code.STALE_BASE, "version " + basedOn + " is older than the compacted history");
    }
  }

  /** A compaction to {@code stable}: only as far as this replica has applied. */
  static void compactTo(VersionVector stable, VersionVector version) {
    if (!version.dominates(stable)) {
      throw new IllegalArgumentException("cannot compact to " + stable + ": have only " + version);
    }
  }
}
