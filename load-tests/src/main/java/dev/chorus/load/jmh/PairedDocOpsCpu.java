// DocOpsCpu's operations on several crdt builds in one JVM, interleaved, timed by thread CPU time.
package dev.chorus.load.jmh;

import dev.chorus.load.harness.metrics.PairedBuilds;
import dev.chorus.load.trace.PairedReplayCpu;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Runs {@link DocOpsCpu}'s rounds of each named operation through several builds of the crdt
 * module, each loaded from its own jar in its own class loader, one round of each build per round
 * in rotating order, and prints per operation and build the median CPU time and allocation per op
 * and the median of the per-round CPU ratio to the first build.
 *
 * <p>Why: as for {@link PairedReplayCpu} — separate JVMs minutes apart measure the neighbours;
 * interleaved rounds in one JVM see the same load, and the per-round ratio cancels it. Usage:
 * {@code java -Xms2g -Xmx2g -cp <load-tests runtime class path> dev.chorus.load.jmh.PairedDocOpsCpu
 * OPS ROUNDS WARMUPS OP[,OP...] CRDT_JAR...} (OP as in {@link DocOpsCpu}, e.g. {@code
 * listInsert,listMoveBetweenLists}).
 */
public final class PairedDocOpsCpu {
  private PairedDocOpsCpu() {}

  public static void main(String[] args) throws Exception {
    int ops = Integer.parseInt(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int warmups = Integer.parseInt(args[2]);
    List<String> names = List.of(args[3].split(","));
    List<String> jars = List.of(args).subList(4, args.length);
    int n = jars.size();
    Method[] round = new Method[n];
    for (int j = 0; j < n; j++) {
      round[j] =
          PairedBuilds.loaderWith(jars.get(j))
              .loadClass(DocOpsCpu.class.getName())
              .getMethod("round", String.class, int.class);
    }
    for (String name : names) {
      double[][][] measured =
          PairedBuilds.rounds(
              n,
              warmups,
              rounds,
              2,
              j -> {
                long[] used = (long[]) round[j].invoke(null, name, ops);
                return new double[] {used[0] / 1e3 / ops, (double) used[1] / ops};
              });
      double[][] cpuUs = measured[0];
      for (int j = 0; j < n; j++) {
        System.out.printf(
            "RESULT op=%s build=%s cpu_us_per_op=%.3f alloc_bytes_per_op=%.0f ratio_to_first=%.3f%n",
            name,
            PairedBuilds.name(jars.get(j)),
            PairedBuilds.median(cpuUs[j]),
            PairedBuilds.median(measured[1][j]),
            PairedBuilds.medianRatio(cpuUs, j));
      }
    }
  }
}
