/**
 * The single-node default store: one append-only log file per session, a group commit per frame
 * ({@link dev.chorus.server.store.file.LogFrame}), snapshots that rewrite the file atomically.
 */
package dev.chorus.server.store.file;
