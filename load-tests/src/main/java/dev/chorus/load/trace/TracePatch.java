// One patch of an editing trace: at a position, delete some characters, then insert some text.
package dev.chorus.load.trace;

/**
 * One {@code [pos, delCount, insertedText]} entry of a trace transaction. Positions and counts are
 * in Unicode code points of the text as left by the previous patch — as Chorus's splice counts
 * them, so a replay passes them on unchanged.
 */
public record TracePatch(int position, int delete, String insert) {
  public TracePatch {
    if (position < 0 || delete < 0 || insert == null) {
      throw new IllegalArgumentException(
          "bad patch [" + position + ", " + delete + ", " + insert + "]");
    }
  }
}
