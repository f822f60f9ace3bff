/** Changes and the ops inside them: what replicas exchange and store. Immutable records. */
package dev.chorus.crdt.op;
