/**
 * Sessions: one {@link dev.chorus.server.session.Session} per open document, owning one CRDT
 * replica on one Vert.x context, and the parts it wires. A local write runs through {@link
 * dev.chorus.server.session.WritePath}: admit ({@code Admission}) → translate ({@code
 * OpTranslation}) → check ({@code WriteCheck}) → apply ({@code WriteApplier}) → make durable
 * ({@code GroupCommit}, {@code CommitPipeline}) → publish ({@code Publisher}). Changes of other
 * replicas come in through {@code ReplicaLink} and {@code RemoteChanges}, caught up by {@code
 * CatchUp} (together the session's {@code SessionCluster}); presence, claims, idempotency, history,
 * snapshots and reads have a class each. {@link dev.chorus.server.session.SessionRegistry} holds,
 * unloads and sweeps sessions; {@code SessionLoader} loads one. See docs/architecture.md for the
 * diagram.
 */
package dev.chorus.server.session;
