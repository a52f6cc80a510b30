package dev.synapse.spark;

import java.io.Serializable;
import java.util.Objects;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * Counters of the Python calls of a job, as named Spark accumulators: they show per task and per
 * stage in the Spark UI and the REST API, and their totals are readable on the driver once an
 * action has run. Only successful tasks count (Spark's rule for accumulators); worker restarts are
 * those of the executor's pools while the task ran, so tasks that ran at the same time may each
 * count one.
 *
 * <p>Register once on the driver, pass to {@link PythonMap#withMetrics}; serializable.
 */
public final class PythonMapMetrics implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LongAccumulator calls;
  private final LongAccumulator rowsIn;
  private final LongAccumulator rowsOut;
  private final LongAccumulator pythonNanos;
  private final LongAccumulator workerRestarts;

  private PythonMapMetrics(SparkContext context, String prefix) {
    this.calls = context.longAccumulator(prefix + ".calls");
    this.rowsIn = context.longAccumulator(prefix + ".rowsIn");
    this.rowsOut = context.longAccumulator(prefix + ".rowsOut");
    this.pythonNanos = context.longAccumulator(prefix + ".pythonNanos");
    this.workerRestarts = context.longAccumulator(prefix + ".workerRestarts");
  }

  /** Registers the accumulators, named {@code prefix.calls}, {@code prefix.rowsIn}, ... */
  public static PythonMapMetrics register(SparkContext context, String prefix) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(prefix, "prefix");
    return new PythonMapMetrics(context, prefix);
  }

  /** Calls made to Python: one per non-empty partition (its batches stream through one call). */
  public long calls() {
    return calls.value();
  }

  /** Rows sent to Python. */
  public long rowsIn() {
    return rowsIn.value();
  }

  /** Rows Python returned. */
  public long rowsOut() {
    return rowsOut.value();
  }

  /** Time the tasks waited for Python's answers, in nanoseconds. */
  public long pythonNanos() {
    return pythonNanos.value();
  }

  /** Workers replaced on the executors while the tasks ran. */
  public long workerRestarts() {
    return workerRestarts.value();
  }

  void addTask(long taskCalls, long in, long out, long nanos, long restarts) {
    calls.add(taskCalls);
    rowsIn.add(in);
    rowsOut.add(out);
    pythonNanos.add(nanos);
    workerRestarts.add(restarts);
  }
}
