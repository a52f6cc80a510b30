package dev.synapse.bench.report;

import java.util.Objects;

/**
 * One line of the results table: a figure of Synapse next to the floor the raw harness reached in
 * the same run, and the target it is judged by. A row may have no floor (nothing comparable
 * exists), be pending (not measurable yet, with the reason in {@code note}), or be a reference: a
 * figure of the machine alone, with no Synapse in it, shown in the floor column.
 *
 * @param floor the raw harness's figure, or {@code null}
 * @param synapse Synapse's figure, or {@code null} when pending or a reference
 */
public record Row(
    String figure, Unit unit, Measured synapse, Measured floor, Target target, String note) {
  public Row {
    Objects.requireNonNull(figure, "figure");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(target, "target");
    note = note == null ? "" : note;
  }

  /** A measured row. */
  public static Row of(String figure, Unit unit, Measured synapse, Measured floor, Target target) {
    return new Row(figure, unit, Objects.requireNonNull(synapse, "synapse"), floor, target, "");
  }

  /**
   * A figure of the machine without Synapse (e.g. the most blocking hand-offs between threads it
   * can do), shown in the floor column next to the Synapse rows it bounds; it has no Synapse
   * figure, no ratio and no target.
   */
  public static Row reference(String figure, Unit unit, Measured machine) {
    return new Row(
        figure, unit, null, Objects.requireNonNull(machine, "machine"), Target.none(""), "");
  }

  /** A row that could not be measured in this run, and why. */
  public static Row pending(String figure, Unit unit, Target target, String reason) {
    return new Row(figure, unit, null, null, target, reason);
  }

  /** Synapse's median divided by the floor's; NaN without both, or when the unit has no ratios. */
  public double ratio() {
    if (synapse == null || floor == null || floor.median() == 0 || !unit.hasRatios()) {
      return Double.NaN;
    }
    return synapse.median() / floor.median();
  }

  /** Whether the row meets its target. */
  public Verdict verdict() {
    if (synapse == null) {
      return floor == null ? Verdict.PENDING : Verdict.NONE;
    }
    return target.judge(this);
  }
}
