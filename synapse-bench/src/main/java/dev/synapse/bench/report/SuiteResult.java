package dev.synapse.bench.report;

import java.util.List;

/**
 * What one suite adds to the report: its rows of the table, and notes printed under the table that
 * say exactly what its figures and floors measure.
 */
public record SuiteResult(List<Row> rows, List<String> notes) {
  public SuiteResult {
    rows = List.copyOf(rows);
    notes = List.copyOf(notes);
  }
}
