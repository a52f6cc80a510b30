package dev.synapse.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints rows as one Markdown table: each figure of Synapse, the floor measured in the same run,
 * their ratio, the target and whether it is met. Cells hold the median and, in parentheses, the
 * spread (minimum–maximum) of the repeated measurements.
 */
public final class ResultTable {
  private static final String HEADER =
      "| Figure | Synapse | Floor (raw harness) | Synapse ÷ floor | Target | Status |\n"
          + "|---|--:|--:|--:|---|---|\n";

  private ResultTable() {}

  /** The table, followed by one line per pending row giving its reason. */
  public static String render(List<Row> rows) {
    StringBuilder table = new StringBuilder(HEADER);
    List<String> pending = new ArrayList<>();
    for (Row row : rows) {
      table
          .append("| ")
          .append(row.figure())
          .append(" | ")
          .append(cell(row.synapse(), row.unit()))
          .append(" | ")
          .append(cell(row.floor(), row.unit()))
          .append(" | ")
          .append(
              Double.isNaN(row.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f×", row.ratio()))
          .append(" | ")
          .append(row.target().describe(row.unit()))
          .append(" | ")
          .append(row.verdict().text())
          .append(" |\n");
      if (!row.note().isEmpty()) {
        pending.add("- " + row.figure() + ": " + row.note());
      }
    }
    if (!pending.isEmpty()) {
      table.append('\n').append(String.join("\n", pending)).append('\n');
    }
    return table.toString();
  }

  private static String cell(Measured measured, Unit unit) {
    if (measured == null) {
      return "—";
    }
    String median = unit.format(measured.median()) + " " + unit.symbol();
    if (measured.count() == 1) {
      return median;
    }
    return median + " (" + unit.format(measured.min()) + "–" + unit.format(measured.max()) + ")";
  }
}
