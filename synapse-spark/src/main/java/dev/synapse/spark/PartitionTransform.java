package dev.synapse.spark;

import java.util.Iterator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.util.TaskCompletionListener;

/**
 * What each task runs: its partition's rows go to the executor's workers as Arrow batches, and the
 * rows of the batches that come back are the task's output. Nothing is sent for an empty partition.
 *
 * <p>The task's Arrow memory comes from a child of Spark's Arrow allocator, closed (and so checked
 * for leaks) when the task completes, whatever its outcome.
 */
final class PartitionTransform implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
  private static final long serialVersionUID = 1L;

  private final PythonModule module;
  private final String function;
  private final StructType inputSchema;
  private final OutputSchema outputSchema;
  private final String timeZone;
  private final int batchSize;
  private final PythonMapMetrics metrics;

  PartitionTransform(
      PythonModule module,
      String function,
      StructType inputSchema,
      OutputSchema outputSchema,
      String timeZone,
      int batchSize,
      PythonMapMetrics metrics) {
    this.module = module;
    this.function = function;
    this.inputSchema = inputSchema;
    this.outputSchema = outputSchema;
    this.timeZone = timeZone;
    this.batchSize = batchSize;
    this.metrics = metrics;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    if (!rows.hasNext()) {
      return rows;
    }
    TaskContext task = TaskContext.get();
    long restartsBefore = ExecutorPools.restarts();
    BufferAllocator allocator =
        ArrowUtils.rootAllocator()
            .newChildAllocator(
                "synapse-spark task " + (task == null ? "" : task.taskAttemptId()),
                0,
                Long.MAX_VALUE);
    RowsToArrow batches = new RowsToArrow(rows, inputSchema, timeZone, batchSize, allocator);
    TaskStream call = new TaskStream(ExecutorPools.poolFor(module), function, task, batches);
    ArrowToRows output = new ArrowToRows(call, outputSchema, allocator);
    if (task != null) {
      task.addTaskCompletionListener(
          (TaskCompletionListener)
              context -> {
                // The call first (the feeder stops pulling rows), then the memory under the rows.
                try (allocator;
                    batches;
                    output;
                    call) {
                  if (metrics != null && !context.isFailed() && !context.isInterrupted()) {
                    metrics.addTask(
                        call.calls(),
                        batches.rowsWritten(),
                        output.rowsRead(),
                        call.pythonNanos(),
                        ExecutorPools.restarts() - restartsBefore);
                  }
                }
              });
    }
    return output;
  }
}
