/** JSON encodings (Jackson) of changes and snapshots, format v1, kept out of the CRDT types. */
package dev.chorus.crdt.codec;
