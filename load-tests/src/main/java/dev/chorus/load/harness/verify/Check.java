package dev.chorus.load.harness.verify;

/** One verification outcome: a name, pass/fail, and what was found. */
public record Check(String name, boolean ok, String detail) {}
