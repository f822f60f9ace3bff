package dev.chorus.load.harness.verify;

import dev.chorus.crdt.clock.OpId;
import dev.chorus.crdt.clock.VersionVector;
import dev.chorus.crdt.op.Change;
import dev.chorus.crdt.op.Content;
import dev.chorus.crdt.op.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An independent model of the map registers in a history: which values must still be live, from
 * nothing but each write's op id and {@code basedOn} (what its writer had seen). For a register
 * that only ever held scalars, a value is dead iff some later write or delete of the same register
 * had it in view ({@code basedOn} includes its op id): it then named it in {@code pred}, or named a
 * newer value that had retired it (docs/semantics.md §3). Two or more live values are a conflict
 * the server must report with exactly those intents.
 *
 * <p>Registers that ever held a container are left out (their retirement also depends on edits
 * inside them).
 */
public final class RegisterModel {
  /** One write (or delete) of a register. */
  private record Write(OpId id, VersionVector basedOn, boolean delete) {}

  private final Set<String> listElements = new java.util.HashSet<>();
  private final Map<String, String> targetOf = new HashMap<>();

  private final Map<String, List<Write>> registers = new LinkedHashMap<>();
  private final Map<String, Boolean> scalarOnly = new HashMap<>();
  private final Map<String, String> registerOfOp = new HashMap<>();

  public RegisterModel(History history) {
    for (History.Entry e : history.entries()) {
      Change c = e.change();
      long counter = c.startCounter();
      for (Op op : c.ops()) {
        OpId id = new OpId(counter, c.replica());
        if (op instanceof Op.ListInsert) {
          listElements.add(id.toString());
        }
        if (op instanceof Op.MapSet s) {
          String reg = s.target() + "/" + s.key();
          targetOf.put(reg, s.target().toString());
          registers
              .computeIfAbsent(reg, k -> new ArrayList<>())
              .add(new Write(id, c.basedOn(), false));
          registerOfOp.put(id.toString(), reg);
          if (!(s.value() instanceof Content.Scalar)) {
            scalarOnly.put(reg, false);
          } else {
            scalarOnly.putIfAbsent(reg, true);
          }
        } else if (op instanceof Op.MapDelete d) {
          String reg = d.target() + "/" + d.key();
          targetOf.put(reg, d.target().toString());
          registers
              .computeIfAbsent(reg, k -> new ArrayList<>())
              .add(new Write(id, c.basedOn(), true));
          scalarOnly.putIfAbsent(reg, true);
        }
        counter += op.width();
      }
    }
  }

  /**
   * The registers (that only held scalars) with two or more live values, each as the sorted set of
   * the live op ids. Registers inside a list element that is no longer in the document ({@code
   * present}: the element ids the final document shows) are left out: a deleted card shows no
   * conflict on its fields.
   */
  public Map<String, Set<String>> expectedConflicts(Set<String> present) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    registers.forEach(
        (reg, writes) -> {
          if (!scalarOnly.getOrDefault(reg, false)) {
            return;
          }
          String target = targetOf.get(reg);
          if (listElements.contains(target) && !present.contains(target)) {
            return;
          }
          Set<String> live = new TreeSet<>();
          for (Write w : writes) {
            if (w.delete()) {
              continue;
            }
            boolean seen = false;
            for (Write o : writes) {
              if (o != w && o.basedOn().get(w.id().replica()) >= w.id().counter()) {
                seen = true;
                break;
              }
            }
            if (!seen) {
              live.add(w.id().toString());
            }
          }
          if (live.size() > 1) {
            out.put(reg, live);
          }
        });
    return out;
  }

  /** The register an op id wrote ({@code target/key}), or null. */
  public String registerOf(String opId) {
    return registerOfOp.get(opId);
  }

  public boolean modelled(String register) {
    return scalarOnly.getOrDefault(register, false);
  }

  /** How many scalar registers were written more than once (contention). */
  public long contendedRegisters() {
    return registers.entrySet().stream()
        .filter(e -> scalarOnly.getOrDefault(e.getKey(), false) && e.getValue().size() > 1)
        .count();
  }
}
