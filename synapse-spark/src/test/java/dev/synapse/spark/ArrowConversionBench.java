package dev.synapse.spark;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/**
 * The JVM's share of synapse-spark's per-row cost, without Spark's scheduling, Python or the pipe:
 * rows of (id int64, x float64) into Arrow IPC streams ({@link RowsToArrow}) and such streams back
 * into rows ({@link ArrowToRows}), each side timed in the CPU time of its thread, so that a loaded
 * machine changes the figures less than it changes wall-clock time.
 *
 * <p>Arguments: rows per pass (default 5,000,000), batch size (default 10,000), passes (default 8;
 * the best pass counts, the first ones warm up the JIT).
 */
public final class ArrowConversionBench {
  private static final StructType SCHEMA =
      new StructType().add("id", DataTypes.LongType).add("x", DataTypes.DoubleType);

  private ArrowConversionBench() {}

  public static void main(String[] args) {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int passes = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double bestWrite = Double.MAX_VALUE;
    double bestRead = Double.MAX_VALUE;
    for (int pass = 0; pass < passes; pass++) {
      try (BufferAllocator allocator =
          ArrowUtils.rootAllocator().newChildAllocator("bench", 0, Long.MAX_VALUE)) {
        long start = threads.getCurrentThreadCpuTime();
        List<byte[]> streams = new ArrayList<>();
        try (RowsToArrow batches =
            new RowsToArrow(rows(rows), SCHEMA, "UTC", batchSize, allocator)) {
          batches.forEachRemaining(streams::add);
        }
        long written = threads.getCurrentThreadCpuTime();
        double sum = 0;
        try (ArrowToRows back =
            new ArrowToRows(streams.iterator(), new OutputSchema("bench", SCHEMA), allocator)) {
          while (back.hasNext()) {
            sum += back.next().getDouble(1);
          }
        }
        long read = threads.getCurrentThreadCpuTime();
        if (sum != (double) rows * (rows - 1) / 4) {
          throw new IllegalStateException("summed " + sum);
        }
        long fillStart = threads.getCurrentThreadCpuTime();
        fill(rows(rows), batchSize, allocator);
        long filled = threads.getCurrentThreadCpuTime();
        System.out.printf(
            "pass %d: filling the vectors alone %.1f ns/row%n",
            pass, (double) (filled - fillStart) / rows);
        double writeNanos = (double) (written - start) / rows;
        double readNanos = (double) (read - written) / rows;
        bestWrite = Math.min(bestWrite, writeNanos);
        bestRead = Math.min(bestRead, readNanos);
        System.out.printf(
            "pass %d: rows to Arrow %.1f ns/row, Arrow to rows %.1f ns/row%n",
            pass, writeNanos, readNanos);
      }
    }
    System.out.printf(
        "best: rows to Arrow %.1f ns/row, Arrow to rows %.1f ns/row (%,d rows, batches of %,d)%n",
        bestWrite, bestRead, rows, batchSize);
  }

  /** Fills the vectors batch after batch, without writing them anywhere. */
  private static void fill(Iterator<InternalRow> rows, int batchSize, BufferAllocator allocator) {
    try (VectorSchemaRoot root =
        VectorSchemaRoot.create(ArrowUtils.toArrowSchema(SCHEMA, "UTC", true, false), allocator)) {
      ArrowWriter writer = ArrowWriter.create(root);
      while (rows.hasNext()) {
        writer.reset();
        for (int count = 0; count < batchSize && rows.hasNext(); count++) {
          writer.write(rows.next());
        }
        writer.finish();
      }
    }
  }

  /** Rows as a scan gives them: one reused UnsafeRow. */
  private static Iterator<InternalRow> rows(long count) {
    UnsafeRow row = new UnsafeRow(2);
    row.pointTo(new byte[UnsafeRow.calculateBitSetWidthInBytes(2) + 16], 8 + 16);
    return new Iterator<>() {
      private long next;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public InternalRow next() {
        row.setLong(0, next);
        row.setDouble(1, next / 2.0);
        next++;
        return row;
      }
    };
  }
}
