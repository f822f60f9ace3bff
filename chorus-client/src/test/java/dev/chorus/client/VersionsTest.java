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
  }
}
