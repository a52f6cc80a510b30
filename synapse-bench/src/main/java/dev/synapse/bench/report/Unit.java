package dev.synapse.bench.report;

import java.util.Locale;

/** The unit of a figure and how its numbers are printed. */
public enum Unit {
  MICROSECONDS("µs", "%,.1f", true),
  MILLISECONDS("ms", "%,.1f", true),
  CALLS_PER_SECOND("calls/s", "%,.0f", true),
  /** Table rows per second. */
  ROWS_PER_SECOND("rows/s", "%,.0f", true),
  /** Blocking hand-offs between threads per second, no I/O: comparable with calls/s. */
  HAND_OFFS_PER_SECOND("hand-offs/s", "%,.0f", true),
  /** 10^6 bytes per second. */
  MEGABYTES_PER_SECOND("MB/s", "%,.0f", true),
  /** A count next to a floor of about zero: a ratio would say nothing. */
  BYTES_PER_CALL("B/call", "%,.0f", false),
  /** See {@link #BYTES_PER_CALL}. */
  THREADS_PER_CALL("threads/call", "%.4f", false),
  /** Two figures of the same run divided, e.g. per round of alternating measurements. */
  TIMES("×", "%.2f", false);

  private final String symbol;
  private final String format;
  private final boolean ratios;

  Unit(String symbol, String format, boolean ratios) {
    this.symbol = symbol;
    this.format = format;
    this.ratios = ratios;
  }

  /** Whether a figure in this unit is compared with its floor as a ratio. */
  public boolean hasRatios() {
    return ratios;
  }

  /** {@code value} as the table prints it, without the symbol. */
  public String format(double value) {
    return String.format(Locale.ROOT, format, value);
  }

  public String symbol() {
    return symbol;
  }
}
