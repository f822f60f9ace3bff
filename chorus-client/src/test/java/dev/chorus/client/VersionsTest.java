package dev.chorus.client;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionsTest {
  @Test
  void aVersionDominatesWhatItIncludes_notWhatItLacks() {
    assertTrue(Versions.dominates("n1:5,n2:3", "n1:5"));
    assertTrue(Versions.dominates("n1:5", ""));
    assertTrue(Versions.dominates("init:17,n1:40", "init:17,n1:40"));
    assertFalse(Versions.dominates("n1:4", "n1:5"), "older");
    assertFalse(Versions.dominates("n1:5", "n1:5,n2:1"), "lacks a replica");
    assertFalse(Versions.dominates("", "n1:1"));
    assertTrue(Versions.dominates("n10:1,n1:9", "n1:9"), "a replica id is matched whole");
    assertFalse(Versions.dominates("n10:9,n1:1", "n1:9"), "not by its prefix");
    assertTrue(Versions.dominates("init:17,r1:3,r2:8", "r2:8,init:17"), "in any order");
  }
}
