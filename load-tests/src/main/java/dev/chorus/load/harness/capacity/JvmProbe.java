package dev.chorus.load.harness.capacity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks into a server process from outside: heap used after a full GC ({@code jcmd <pid> GC.run},
 * then {@code GC.heap_info}) and resident memory ({@code /proc/<pid>/status}).
 */
public final class JvmProbe {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private JvmProbe() {}

  /** Heap used (bytes) right after a full GC of process {@code pid}. */
  public static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    Thread.sleep(500);
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = USED.matcher(info);
    if (!m.find()) {
      throw new IOException("cannot read heap use from: " + info);
    }
    return Long.parseLong(m.group(1)) * 1024;
  }

  /** Resident set size (bytes) of process {@code pid}, or -1. */
  public static long rss(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: no RSS
    }
    return -1;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid),
                    command))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " failed: " + out);
    }
    return out;
  }
}
