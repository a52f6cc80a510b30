package dev.synapse.spark;

import java.util.Objects;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A Python function applied to every partition of a Dataset, in the shape of PySpark's {@code
 * mapInArrow}: the function is called once per non-empty partition with an iterator over the
 * partition's rows as Arrow record batches of at most {@link #batchSize} rows (each a {@code
 * pyarrow.Table} in Python), and the tables or batches it yields, of the declared output schema,
 * are the rows of the result.
 *
 * <pre>{@code
 * PythonModule model = PythonModule.at(Path.of("scoring")).build();
 * StructType out = new StructType().add("id", DataTypes.LongType).add("score", DataTypes.DoubleType);
 * Dataset<Row> scored = PythonMap.of(model, "score", out).apply(table);
 * }</pre>
 *
 * <p>The function runs in the executor's workers ({@link PythonModule}: one pool per executor, as
 * many workers as it has cores unless set). A Python exception fails the task with the Python type,
 * message and traceback ({@link dev.synapse.PythonException}); answers that do not match the output
 * schema fail it with {@link OutputSchemaException}; a worker that dies fails the task, which Spark
 * retries ({@code spark.task.maxFailures}) on the replaced worker. A killed task cancels its call
 * in the worker.
 *
 * <p>Immutable and serializable; the {@code with...} methods return a copy. The transformation is
 * lazy, as every Dataset transformation: nothing runs before an action.
 */
public final class PythonMap implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final int DEFAULT_BATCH_SIZE = 10_000;

  private final PythonModule module;
  private final String function;
  private final StructType outputSchema;
  private final int batchSize;
  private final PythonMapMetrics metrics;

  private PythonMap(
      PythonModule module,
      String function,
      StructType outputSchema,
      int batchSize,
      PythonMapMetrics metrics) {
    this.module = module;
    this.function = function;
    this.outputSchema = outputSchema;
    this.batchSize = batchSize;
    this.metrics = metrics;
  }

  /**
   * The function {@code function} of {@code module}, returning rows of {@code outputSchema}.
   *
   * @throws IllegalArgumentException if the function name is empty or the schema has no column
   */
  public static PythonMap of(PythonModule module, String function, StructType outputSchema) {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(outputSchema, "outputSchema");
    if (function.isBlank()) {
      throw new IllegalArgumentException("function cannot be empty");
    }
    if (outputSchema.fields().length == 0) {
      throw new IllegalArgumentException("outputSchema has no column");
    }
    return new PythonMap(module, function, outputSchema, DEFAULT_BATCH_SIZE, null);
  }

  /** At most {@code rows} rows per Arrow batch sent to Python. Default 10,000. */
  public PythonMap batchSize(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, was " + rows);
    }
    return new PythonMap(module, function, outputSchema, rows, metrics);
  }

  /** Counts this map's calls, rows and Python time into {@code metrics}. */
  public PythonMap withMetrics(PythonMapMetrics metrics) {
    return new PythonMap(
        module, function, outputSchema, batchSize, Objects.requireNonNull(metrics, "metrics"));
  }

  /** The declared schema of the rows the function returns. */
  public StructType outputSchema() {
    return outputSchema;
  }

  /**
   * The rows the function returns for the partitions of {@code input}.
   *
   * @throws IllegalArgumentException if {@code input} does not belong to a classic (not Spark
   *     Connect) session
   */
  public Dataset<Row> apply(Dataset<Row> input) {
    Objects.requireNonNull(input, "input");
    if (!(input instanceof org.apache.spark.sql.classic.Dataset<Row> classic)) {
      throw new IllegalArgumentException(
          "PythonMap needs a Dataset of a classic SparkSession, not of Spark Connect; got "
              + input.getClass().getName());
    }
    SparkSession session = classic.sparkSession();
    PartitionTransform transform =
        new PartitionTransform(
            module,
            function,
            input.schema(),
            new OutputSchema(function, outputSchema),
            session.sessionState().conf().sessionLocalTimeZone(),
            batchSize,
            metrics);
    RDD<InternalRow> rows =
        classic.queryExecution().toRdd().toJavaRDD().mapPartitions(transform).rdd();
    return session.internalCreateDataFrame(rows, outputSchema, false);
  }

  /**
   * The typed form: the objects of {@code input} go to Python as the columns its encoder makes of
   * them, and the rows that come back, of this map's output schema, become objects of {@code
   * output} (by column name for beans and case classes, by position for a single value).
   *
   * @throws org.apache.spark.sql.AnalysisException if {@code output} cannot read the output schema
   */
  public <T, U> Dataset<U> apply(Dataset<T> input, Encoder<U> output) {
    Objects.requireNonNull(output, "output");
    return apply(input.toDF()).as(output);
  }
}
