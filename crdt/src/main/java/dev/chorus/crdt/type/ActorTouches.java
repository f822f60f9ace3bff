package dev.chorus.crdt.type;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The latest op per actor on one object, by actor id: one {@link Touch} while a single actor has
 * written there, a sorted map from the second actor on.
 *
 * <p>Why not a map always: every list element and every object has one, and nearly all of them are
 * written by one actor (a card made, moved and edited by its owner). A {@code TreeMap} with one
 * entry kept 88 bytes alive per element, a twelfth of what a list insert retained.
 *
 * <p>Mutable, not thread-safe; part of an {@link Agg}.
 */
final class ActorTouches {
  private Touch sole;
  private TreeMap<String, Touch> many;

  /** The latest op of {@code actorId}, or null. */
  Touch get(String actorId) {
    if (many != null) {
      return many.get(actorId);
    }
    return sole != null && sole.author().actorId().equals(actorId) ? sole : null;
  }

  /** Makes {@code t} its actor's latest op (replacing the one there was). */
  void put(Touch t) {
    String actor = t.author().actorId();
    if (many != null) {
      many.put(actor, t);
    } else if (sole == null || sole.author().actorId().equals(actor)) {
      sole = t;
    } else {
      many = new TreeMap<>();
      many.put(sole.author().actorId(), sole);
      many.put(actor, t);
      sole = null;
    }
  }

  /** Forgets {@code actorId}'s op (undoing its first record here). */
  void remove(String actorId) {
    if (many != null) {
      many.remove(actorId);
    } else if (sole != null && sole.author().actorId().equals(actorId)) {
      sole = null;
    }
  }

  /** Every actor's latest op, in actor id order. */
  Collection<Touch> all() {
    if (many != null) {
      return many.values();
    }
    return sole == null ? List.of() : List.of(sole);
  }
}
