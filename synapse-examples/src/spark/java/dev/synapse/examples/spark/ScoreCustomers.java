package dev.synapse.examples.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.rand;

import dev.synapse.spark.PythonMap;
import dev.synapse.spark.PythonMapMetrics;
import dev.synapse.spark.PythonModule;
import dev.synapse.spark.SynapseSpark;
import dev.synapse.spark.SynapseSparkPlugin;
import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A Java Spark job that scores a table of customers with a numpy model in Python (the module
 * {@code synapse-examples/python/scoring}), in local mode: the module is shipped with the job, each
 * executor runs it in a pool of workers, and every partition streams through it as Arrow batches.
 */
public final class ScoreCustomers {
  private static final StructType SCORES =
      new StructType()
          .add("customer", DataTypes.LongType)
          .add("churn", DataTypes.DoubleType)
          .add("call", DataTypes.BooleanType);

  private ScoreCustomers() {}

  /**
   * Runs the job.
   *
   * @param args the directory of the scoring module (default {@code
   *     synapse-examples/python/scoring}) and the number of customers (default 1,000,000)
   */
  public static void main(String[] args) {
    Path module = Path.of(args.length > 0 ? args[0] : "synapse-examples/python/scoring");
    long customers = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("score-customers")
            .config("spark.plugins", SynapseSparkPlugin.class.getName())
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      Dataset<Row> table =
          spark
              .range(0, customers, 1, 8)
              .toDF("customer")
              .withColumn("tenure", rand(1).multiply(72).cast("int"))
              .withColumn("spend", rand(2).multiply(120))
              .withColumn("support_calls", rand(3).multiply(6).cast("int"));

      PythonModule scoring = SynapseSpark.ship(spark, module, "scoring").build();
      PythonMapMetrics metrics = PythonMapMetrics.register(spark.sparkContext(), "scoring");
      Dataset<Row> scores =
          PythonMap.of(scoring, "score", SCORES).withMetrics(metrics).apply(table).cache();

      long start = System.nanoTime();
      long toCall = scores.filter(col("call")).count();
      System.out.printf(
          "Scored %,d customers in %.1f s: %,d to call%n",
          customers, (System.nanoTime() - start) / 1e9, toCall);
      scores.orderBy(desc("churn")).show(5);
      System.out.printf(
          "Python: %,d calls, %,d rows in, %,d rows out, %.1f s in Python, %d worker restarts%n",
          metrics.calls(),
          metrics.rowsIn(),
          metrics.rowsOut(),
          metrics.pythonNanos() / 1e9,
          metrics.workerRestarts());
    } finally {
      spark.stop();
    }
  }
}
