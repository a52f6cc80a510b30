package dev.synapse.bench.report;

/**
 * What a figure should reach, as set in the performance issue: a bound on the ratio to the floor
 * measured in the same run, an absolute bound on the median, or nothing to check.
 */
public sealed interface Target {
  /** How the table prints the target. */
  String describe(Unit unit);

  /** Whether {@code row} meets it. */
  Verdict judge(Row row);

  /** The median is at most {@code limit} times the floor's median (for times). */
  static Target ratioAtMost(double limit) {
    return new RatioAtMost(limit);
  }

  /**
   * The median is at least {@code limit} times the floor's median (for rates against a baseline).
   */
  static Target ratioAtLeast(double limit) {
    return new RatioAtLeast(limit);
  }

  /** The median is at least {@code value} (for rates). */
  static Target atLeast(double value) {
    return new AtLeast(value);
  }

  /** The median is at most {@code value}. */
  static Target atMost(double value) {
    return new AtMost(value);
  }

  /** No bound: {@code text} says what is expected instead (e.g. "stated"), or nothing. */
  static Target none(String text) {
    return new None(text);
  }

  /** See {@link Target#ratioAtMost}. */
  record RatioAtMost(double limit) implements Target {
    @Override
    public String describe(Unit unit) {
      return String.format(java.util.Locale.ROOT, "≤ %.1f× floor", limit);
    }

    @Override
    public Verdict judge(Row row) {
      return row.ratio() <= limit ? Verdict.MET : Verdict.MISSED;
    }
  }

  /** See {@link Target#ratioAtLeast}. */
  record RatioAtLeast(double limit) implements Target {
    @Override
    public String describe(Unit unit) {
      return String.format(java.util.Locale.ROOT, "≥ %.1f× floor", limit);
    }

    @Override
    public Verdict judge(Row row) {
      return row.ratio() >= limit ? Verdict.MET : Verdict.MISSED;
    }
  }

  /** See {@link Target#atLeast}. */
  record AtLeast(double value) implements Target {
    @Override
    public String describe(Unit unit) {
      return "≥ " + unit.format(value) + " " + unit.symbol();
    }

    @Override
    public Verdict judge(Row row) {
      return row.synapse().median() >= value ? Verdict.MET : Verdict.MISSED;
    }
  }

  /** See {@link Target#atMost}. */
  record AtMost(double value) implements Target {
    @Override
    public String describe(Unit unit) {
      return "≤ " + unit.format(value) + " " + unit.symbol();
    }

    @Override
    public Verdict judge(Row row) {
      return row.synapse().median() <= value ? Verdict.MET : Verdict.MISSED;
    }
  }

  /** See {@link Target#none}. */
  record None(String text) implements Target {
    @Override
    public String describe(Unit unit) {
      return text.isEmpty() ? "—" : text;
    }

    @Override
    public Verdict judge(Row row) {
      return Verdict.NONE;
    }
  }
}
