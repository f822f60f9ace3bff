package dev.chorus.crdt.type;

/**
 * A replica's state image from one capture to the next, so that a capture costs what changed since
 * the last one, not the document: the objects, map registers, values and elements no op changed
 * since keep their images ({@link StateImageWriter}, {@link ChangeMarks}). What {@link #capture}
 * returns is always equal to a fresh {@link StateImage#of}.
 *
 * <p>Memory: it holds the last image — one image of the document, shared with the capture being
 * encoded — and, in the state, the marks of what changed since (at most a few nodes per op, and no
 * more than the document has). The first capture, and the first after a rolled-back change, image
 * everything.
 *
 * <p>One per replica (the server keeps one per session), used on the replica's thread like the
 * replica itself. A second cache on the same state takes the marks over, and each of the two then
 * images everything whenever the other captured last: slower, never wrong.
 */
public final class StateImageCache {
  private DocState state;
  private ChangeMarks marks;
  private StateImage last;
  private int lastImaged;

  /** An image of {@code st} now, equal to {@code StateImage.of(st)}. */
  public StateImage capture(DocState st) {
    boolean incremental = st == state && st.marks == marks && last != null && !marks.all();
    if (st.marks != marks || st != state) {
      if (state != null && state.marks == marks) {
        state.marks = null; // the state this cache served: nobody needs its marks any more
      }
      state = st;
      marks = new ChangeMarks();
      st.marks = marks;
    }
    StateImageWriter w =
        incremental ? new StateImageWriter(st, last, marks) : new StateImageWriter(st);
    last = w.image();
    lastImaged = w.imaged;
    marks.clear();
    return last;
  }

  /**
   * Objects and elements the last {@link #capture} imaged anew, the rest taken from the capture
   * before: what its cost follows.
   */
  public int lastImaged() {
    return lastImaged;
  }
}
