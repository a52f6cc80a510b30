package dev.synapse.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;

/**
 * Writes a report to {@code bench/results/<date>-<label>.md} (with {@code -quick} before {@code
 * .md} for a smoke run), the file that is committed so that a regression shows in review.
 */
public final class ResultsFile {
  private ResultsFile() {}

  /**
   * Writes {@code report} and returns the file's path; an existing file of that name is replaced.
   */
  public static Path write(
      Path directory, LocalDate date, String label, boolean quick, String report)
      throws IOException {
    String slug =
        label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    Path file =
        directory.resolve(
            date + "-" + (slug.isEmpty() ? "run" : slug) + (quick ? "-quick" : "") + ".md");
    Files.createDirectories(directory);
    Files.writeString(file, report, StandardCharsets.UTF_8);
    return file;
  }
}
