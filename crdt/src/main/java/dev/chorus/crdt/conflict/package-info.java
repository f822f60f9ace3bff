/** Conflicts as a first-class read: kinds, intents with authors, opened/resolved events. */
package dev.chorus.crdt.conflict;
