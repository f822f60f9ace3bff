package dev.chorus.server.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Doc;
import dev.chorus.crdt.DocException;
import dev.chorus.crdt.Path;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ClientOp;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Frames;
import dev.chorus.server.protocol.Values;
import dev.chorus.server.session.OpTranslation.ResolvedOp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The check stage of a write, against the document as it is now: the writer's base exists here, a
 * conflict being resolved is still open, the ops fit the session's {@link Shape}, a strict
 * precondition holds (nothing the writer did not see touched its paths) and the document stays
 * under its size limit. Throws the client error that names the first failure; changes nothing but
 * its size estimate. On the session's context.
 */
final class WriteCheck {
  private static final long UNMEASURED = -1;

  private final Doc doc;
  private final Shape shape;
  private final long maxDocBytes;
  // the document's size as plain JSON, from below (grown by what writes add, measured again before
  // refusing one); UNMEASURED until the first write needs it, so loads and reads never pay for it
  private long approxDocBytes = UNMEASURED;
  // in a cluster: views older than this are refused, a compaction floor is being agreed above them
  private VersionVector fence = VersionVector.EMPTY;

  WriteCheck(Doc doc, Shape shape, long maxDocBytes) {
    this.doc = doc;
    this.shape = shape;
    this.maxDocBytes = maxDocBytes;
  }

  /** The version the batch was written on: its {@code basedOn}, or now for blind writes. */
  VersionVector basedOn(Frames.Batch b) {
    VersionVector basedOn;
    if (b.basedOn() == null) {
      basedOn = doc.version();
    } else {
      try {
        basedOn = VersionVector.parse(b.basedOn());
      } catch (IllegalArgumentException e) {
        throw new ChorusException(ErrorCode.BAD_FRAME, "basedOn: " + e.getMessage());
      }
      if (!doc.version().dominates(basedOn)) {
        throw new ChorusException(
            ErrorCode.STALE_BASE,
            "basedOn " + basedOn + " includes changes this server has not seen; re-read");
      }
    }
    // A blind write too: its change is based on this replica's version, which may not have
    // reached a floor it learned of yet (it is catching up).
    if (!fence.isEmpty() && !basedOn.dominates(fence)) {
      throw new ChorusException(
          ErrorCode.STALE_BASE,
          "basedOn " + basedOn + " is older than the cluster's compaction floor; re-read");
    }
    return basedOn;
  }

  /**
   * From now on refuse writes whose {@code basedOn} does not include {@code fence} ({@code
   * stale_base}): the replicas of a cluster are agreeing on a compaction floor there (see {@link
   * ClusterFloor}).
   */
  void fence(VersionVector fence) {
    this.fence = fence;
  }

  /** A resolve names a conflict that must still be open. */
  void conflictOpen(Frames.Batch b) {
    if (b.conflictId() != null
        && doc.conflicts().stream().noneMatch(c -> c.id().equals(b.conflictId()))) {
      throw new ChorusException(
          ErrorCode.CONFLICT_NOT_FOUND, "conflict " + b.conflictId() + " is not open");
    }
  }

  /** Every op puts only what the shape allows where it allows it. */
  void shape(List<ResolvedOp> ops) {
    for (ResolvedOp r : ops) {
      ClientOp op = r.op();
      if (op instanceof ClientOp.Set s) {
        shape.checkPlace(r.path(), s.value(), false);
      } else if (op instanceof ClientOp.Insert in) {
        shape.checkPlace(r.path(), in.value(), true);
      } else if (op instanceof ClientOp.Delete) {
        shape.checkDelete(r.path());
      } else if (op instanceof ClientOp.Move) {
        Object v;
        if (r.createsPath()) {
          // an element this batch inserts (path ends in $N): the value that insert places
          String last = r.path().get(r.path().size() - 1);
          if (!OpTranslation.hasRef(List.of(last))) {
            continue;
          }
          v = ((ClientOp.Insert) ops.get(Integer.parseInt(last.substring(1))).op()).value();
        } else {
          try {
            v = doc.get(new Path(r.path()));
          } catch (DocException e) {
            continue; // the element moved since the writer's base: the edit resolves it at basedOn
          }
        }
        shape.checkPlace(r.to(), v, true);
      } else if (op instanceof ClientOp.Claim) {
        shape.checkPlace(
            append(r.path(), "claim"), OpTranslation.claimValue(Session.SERVER, 0), false);
      }
    }
  }

  /**
   * {@code precondition: "unchanged"}: refuses the batch ({@code precondition_failed}, listing the
   * unseen changes) if anything not included in {@code basedOn} touched the paths it writes.
   */
  void precondition(VersionVector basedOn, List<ResolvedOp> ops) {
    Collection<Path> paths = new LinkedHashSet<>();
    for (ResolvedOp r : ops) {
      // an element this batch creates has no history (the list a move puts it in may have)
      if (!r.createsPath()) {
        boolean claim = r.op() instanceof ClientOp.Claim || r.op() instanceof ClientOp.Release;
        paths.add(new Path(claim ? append(r.path(), "claim") : r.path()));
      }
      if (r.to() != null && !r.createsDestination()) {
        paths.add(new Path(r.to()));
      }
    }
    var unseen = doc.unseenChanges(basedOn, paths);
    if (unseen.isEmpty()) {
      return;
    }
    ObjectNode d = Values.NODES.objectNode();
    ArrayNode a = d.putArray("unseen");
    for (var u : unseen) {
      a.add(WireJson.unseen(u));
    }
    d.put("version", doc.version().toString());
    throw new ChorusException(
        ErrorCode.PRECONDITION_FAILED,
        unseen.size()
            + (unseen.size() == 1 ? " change" : " changes")
            + " not seen by the batch touch its paths; nothing was applied",
        d);
  }

  /**
   * The document stays under its limit with {@code added} more bytes ({@link #grew} counts them in
   * once applied). The whole document is measured only when the estimate would cross the limit (or
   * was never taken).
   */
  void size(long added) {
    if (approxDocBytes == UNMEASURED || approxDocBytes + added > maxDocBytes) {
      approxDocBytes = measure();
      if (approxDocBytes + added > maxDocBytes) {
        throw new ChorusException(
            ErrorCode.TOO_LARGE, "the document would exceed " + maxDocBytes + " bytes");
      }
    }
  }

  /** An applied change added about {@code bytes}. */
  void grew(long bytes) {
    if (approxDocBytes != UNMEASURED) {
      approxDocBytes += bytes;
    }
  }

  private long measure() {
    try {
      return Values.MAPPER.writeValueAsBytes(doc.toPlain()).length;
    } catch (Exception e) {
      return 0;
    }
  }

  private static List<String> append(List<String> l, String s) {
    List<String> c = new ArrayList<>(l);
    c.add(s);
    return c;
  }
}
