package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.report.SuiteResult;

/**
 * A group of figures measured together, with their floors, contributing rows to the one results
 * table. A new figure (the pool, numpy arrays) is a new suite added to {@code BenchMain}'s list.
 */
public interface Suite {
  /** A short name for {@code -Dbench.suites=...}, e.g. {@code round-trip}. */
  String id();

  /**
   * Whether a run that names no suites runs this one; false for a suite that needs more settings
   * (e.g. a baseline build to compare with).
   */
  default boolean runsByDefault() {
    return true;
  }

  /** Measures the figures and returns their rows and notes. */
  SuiteResult run(BenchSettings settings) throws Exception;
}
