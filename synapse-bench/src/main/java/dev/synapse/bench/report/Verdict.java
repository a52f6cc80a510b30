package dev.synapse.bench.report;

/** Whether a figure meets its target. */
public enum Verdict {
  MET("met"),
  MISSED("**missed**"),
  /** The figure has no target, or a target that is a statement rather than a bound. */
  NONE("—"),
  /** The figure was not measured (see its note). */
  PENDING("pending");

  private final String text;

  Verdict(String text) {
    this.text = text;
  }

  /** How the table prints it. */
  public String text() {
    return text;
  }
}
