package dev.chorus.load.harness.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verification of one scenario run: every {@link Check}, the totals of lost and duplicated
 * items (acked batches missing from or doubled in the history, changes a client was not delivered
 * or was delivered twice), and facts worth reporting (in-doubt batches, conflicts implied).
 */
public final class Verdict {
  private final List<Check> checks = new ArrayList<>();
  private final Map<String, Object> facts = new LinkedHashMap<>();
  private final List<String> findings = new ArrayList<>();
  private long lost;
  private long dup;

  public void check(String name, boolean ok, String detail) {
    checks.add(new Check(name, ok, detail));
  }

  public void lost(long n) {
    lost += n;
  }

  public void dup(long n) {
    dup += n;
  }

  public void fact(String name, Object value) {
    facts.put(name, value);
  }

  /** Something the run showed about the server that is worth fixing but is not a loss. */
  public void finding(String s) {
    findings.add(s);
  }

  public List<String> findings() {
    return findings;
  }

  public List<Check> checks() {
    return checks;
  }

  public Map<String, Object> facts() {
    return facts;
  }

  public long lost() {
    return lost;
  }

  public long dup() {
    return dup;
  }

  public boolean passed() {
    return lost == 0 && dup == 0 && checks.stream().allMatch(Check::ok);
  }

  /** The failed checks, one per line. */
  public String failures() {
    StringBuilder b = new StringBuilder();
    for (Check c : checks) {
      if (!c.ok()) {
        b.append("FAILED ").append(c.name()).append(": ").append(c.detail()).append('\n');
      }
    }
    if (lost > 0 || dup > 0) {
      b.append("lost=").append(lost).append(" dup=").append(dup).append('\n');
    }
    return b.toString();
  }
}
