// Several builds of the crdt module measured in one JVM, in interleaved rounds.
package dev.chorus.load.harness.metrics;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the paired tools ({@code PairedReplayCpu}, {@code PairedDocOpsCpu}) share: each build of the
 * crdt module loaded from its own jar in its own class loader, and rounds in which every build runs
 * once, in rotating order so each goes first as often as the others.
 *
 * <p>Why: on a machine shared with other work, runs in separate JVMs minutes apart measure the
 * neighbours; interleaved rounds in one JVM see the same load and the same heap, and the per-round
 * ratio to the first build cancels what they share.
 */
public final class PairedBuilds {
  private PairedBuilds() {}

  /** One build's run in a round: what it measured (e.g. CPU time, bytes allocated). */
  @FunctionalInterface
  public interface Round {
    double[] run(int build) throws Exception;
  }

  /**
   * Runs {@code warmups + rounds} rounds of {@code builds} builds; returns, per measure, per build,
   * per measured round: {@code [measure][build][round]}.
   */
  public static double[][][] rounds(int builds, int warmups, int rounds, int measures, Round round)
      throws Exception {
    double[][][] out = new double[measures][builds][rounds];
    for (int r = 0; r < warmups + rounds; r++) {
      for (int k = 0; k < builds; k++) {
        int j = (r + k) % builds; // each build goes first as often as the others
        double[] measured = round.run(j);
        if (r >= warmups) {
          for (int m = 0; m < measures; m++) {
            out[m][j][r - warmups] = measured[m];
          }
        }
      }
    }
    return out;
  }

  /** The median over rounds of {@code build}'s measure divided by the first build's. */
  public static double medianRatio(double[][] byBuild, int build) {
    double[] ratio = new double[byBuild[build].length];
    for (int r = 0; r < ratio.length; r++) {
      ratio[r] = byBuild[build][r] / byBuild[0][r];
    }
    return median(ratio);
  }

  public static double median(double[] values) {
    return Median.of(Arrays.stream(values).boxed().toList());
  }

  /** A jar's file name, as the tools print a build. */
  public static String name(String jar) {
    return Path.of(jar).getFileName().toString();
  }

  /** The running class path with its crdt module replaced by {@code crdtJar}, parent platform. */
  public static ClassLoader loaderWith(String crdtJar) throws Exception {
    List<URL> urls = new ArrayList<>();
    urls.add(Path.of(crdtJar).toUri().toURL());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      boolean crdt =
          entry.contains("chorus-crdt-")
              || entry.replace('\\', '/').endsWith("crdt/target/classes");
      if (!crdt) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }
}
