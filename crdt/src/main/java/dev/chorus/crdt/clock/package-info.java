/** Op ids (Lamport counter + replica) and version vectors over replicas. */
package dev.chorus.crdt.clock;
