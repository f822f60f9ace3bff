/**
 * Chorus CRDT: one document, many writers — people and agents — merged deterministically, with
 * contradictions kept and surfaced instead of silently dropped.
 *
 * <h2>Data model</h2>
 *
 * A {@link dev.chorus.crdt.Doc} is one replica of one document: a root map whose values are JSON
 * scalars or nested containers — maps, lists ({@link dev.chorus.crdt.Edit#move movable}, with
 * stable element ids), texts and counters ({@link dev.chorus.crdt.Container}).
 *
 * <h2>Supersession, not last-writer-wins</h2>
 *
 * Every map entry and list element is a multi-value register. A write names the values its writer
 * had seen ({@code pred}, computed from the writer's {@code basedOn} version), and retires exactly
 * those. A value nobody retired stays: two live values are a {@link
 * dev.chorus.crdt.conflict.ConflictKind#CONCURRENT_ASSIGNMENT conflict}. Reads show a deterministic
 * winner (greatest op id) and {@link dev.chorus.crdt.Doc#conflicts()} gives every value with its
 * author. A write that saw all values resolves the conflict. The same holds for delete vs
 * concurrent edit (the edit wins, the deleter is named) and move vs move (one destination wins
 * everywhere, both are listed).
 *
 * <h2>Replicas and sync</h2>
 *
 * Op ids are Lamport counters with the id of the replica (a server node) that made them; {@link
 * dev.chorus.crdt.clock.VersionVector version vectors} range over replicas, not clients, so they
 * stay small. A {@link dev.chorus.crdt.op.Change} is what one writer did in one batch; replicas
 * exchange changes in any order, any number of times: {@link dev.chorus.crdt.Doc#apply} buffers a
 * change until its dependencies are in and ignores duplicates. {@link
 * dev.chorus.crdt.Doc#changesSince} gives what another replica (or a resuming client) lacks.
 *
 * <h2>Example</h2>
 *
 * <pre>{@code
 * Doc server = new Doc("n1");
 * server.edit(Author.human("setup"), null, now, e ->
 *     e.set(Path.parse("tasks"), Map.of("t1", Map.of("status", "todo"))));
 * VersionVector v1 = server.version();            // both writers see v1
 * server.edit(Author.human("alice"), v1, now, e -> e.set(Path.parse("tasks/t1/status"), "done"));
 * server.edit(Author.agent("bot"), v1, now, e -> e.set(Path.parse("tasks/t1/status"), "cancelled"));
 * server.conflicts();  // one CONCURRENT_ASSIGNMENT at tasks/t1/status, both values, both authors
 * server.edit(Author.human("carol"), server.version(), now,
 *     e -> e.set(Path.parse("tasks/t1/status"), "done"));  // saw both: resolves it
 * }</pre>
 *
 * (This example is {@code ScenariosTest} rows 1 and 3.) Packages: {@code clock} (ids, versions),
 * {@code op} (changes and ops), {@code conflict} (what is surfaced), {@code codec} (JSON wire and
 * snapshot formats), {@code type} (internal state; not API). Semantics in depth: docs/semantics.md.
 * Behind the facade in this package: the history a replica keeps ({@code DocHistory}, {@code
 * HistoryLog}, {@code HistoryView}; the part a snapshot load has not decoded yet is an {@link
 * dev.chorus.crdt.UndecodedHistory}), changes waiting for their dependencies ({@code
 * PendingChanges}), reads cached per state ({@code StateReads}), the refusals that come from
 * versions ({@code VersionChecks}) and the listeners told of applied changes ({@code
 * DocListeners}).
 */
package dev.chorus.crdt;
