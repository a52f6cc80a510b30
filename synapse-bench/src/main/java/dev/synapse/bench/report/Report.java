package dev.synapse.bench.report;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The whole report of one run, in Markdown: when and how it ran, the environment, the table, and
 * what each figure measures. The same text goes to stdout and to the results file.
 */
public record Report(
    String title,
    ZonedDateTime started,
    Duration took,
    boolean quick,
    List<String> environment,
    List<Row> rows,
    List<String> notes) {
  public Report {
    environment = List.copyOf(environment);
    rows = List.copyOf(rows);
    notes = List.copyOf(notes);
  }

  private static final DateTimeFormatter MINUTES_UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

  /** The report as Markdown. */
  public String markdown() {
    StringBuilder text = new StringBuilder();
    text.append("# ").append(title).append("\n\n");
    if (quick) {
      text.append(
          "> Quick smoke run (`-Dbench.quick=true`): too short to quote or to compare.\n\n");
    }
    text.append("- Date: ")
        .append(started.withZoneSameInstant(ZoneOffset.UTC).format(MINUTES_UTC))
        .append(", the run took ")
        .append(took.toMinutes())
        .append(" min ")
        .append(took.toSecondsPart())
        .append(" s\n");
    environment.forEach(line -> text.append(line).append('\n'));
    text.append('\n')
        .append(
            "Cells: median (min–max) over the measured JMH iterations of all forks, or over the repetitions of")
        .append(
            " the hand-timed figures. Ratios are Synapse's median ÷ the floor's median, from this run.\n\n");
    text.append(ResultTable.render(rows)).append('\n');
    text.append("## What each figure measures\n\n");
    notes.forEach(note -> text.append("- ").append(note).append('\n'));
    return text.toString();
  }
}
