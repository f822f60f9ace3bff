/**
 * Internal CRDT state behind {@link dev.chorus.crdt.Doc}: registers and their values, list elements
 * with position registers, the run-length sequence (Fugue/YjsMod) under lists and texts, liveness,
 * conflicts, compaction, state images. Public only so the facade and codec can reach it;
 * application code uses {@link dev.chorus.crdt.Doc} and {@link dev.chorus.crdt.Edit}.
 *
 * <p>A tour: {@link dev.chorus.crdt.type.DocState} holds the objects and applies ops; {@link
 * dev.chorus.crdt.type.Editor} turns a writer's intents into ops, resolving paths and {@code pred}
 * against what that writer had seen ({@code WriterView}). The sequence of a list or text is a
 * {@link dev.chorus.crdt.type.Sequence} (integration, deletion, text) over its {@link
 * dev.chorus.crdt.type.Run}s, kept in order in blocks with visible counts ({@code RunBlocks}) and
 * found by id per replica ({@code RunIds}, {@code RunIndex}). {@link dev.chorus.crdt.type.Liveness}
 * says which values are live and caches subtree aggregates ({@link dev.chorus.crdt.type.Agg});
 * {@link dev.chorus.crdt.type.ConflictFinder} finds conflicts per site and {@link
 * dev.chorus.crdt.type.Sites} turns an edit's before/after into conflict events.
 */
package dev.chorus.crdt.type;
