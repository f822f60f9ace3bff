/**
 * Internal CRDT state behind {@link dev.chorus.crdt.Doc}: registers and their values, list elements
 * with position registers, the run-length sequence (Fugue/YjsMod) under lists and texts, liveness,
 * conflicts, compaction, state images. Public only so the facade and codec can reach it;
 * application code uses {@link dev.chorus.crdt.Doc} and {@link dev.chorus.crdt.Edit}.
 */
package dev.chorus.crdt.type;
