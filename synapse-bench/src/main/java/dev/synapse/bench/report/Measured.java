package dev.synapse.bench.report;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * The values a figure took over repeated measurements (JMH iterations of all forks, or repetitions
 * of a hand-timed step), summed up as their median and their spread (minimum and maximum). The
 * table quotes the median; ratios are taken between medians.
 */
public final class Measured {
  private final double[] values;

  private Measured(double[] values) {
    this.values = values;
  }

  /**
   * The measurements {@code values}, in any order.
   *
   * @throws IllegalArgumentException if there are none
   */
  public static Measured of(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("A measurement needs at least one value");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return new Measured(sorted);
  }

  /** The same measurements in another unit, e.g. microseconds per call to calls per second. */
  public Measured map(DoubleUnaryOperator conversion) {
    return of(Arrays.stream(values).map(conversion).toArray());
  }

  /** The median (the mean of the two middle values for an even count). */
  public double median() {
    int middle = values.length / 2;
    return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
  }

  public double min() {
    return values[0];
  }

  public double max() {
    return values[values.length - 1];
  }

  /** How many values there are. */
  public int count() {
    return values.length;
  }
}
