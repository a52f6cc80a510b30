package dev.synapse.spark.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;

import dev.synapse.spark.PythonMap;
import dev.synapse.spark.PythonModule;
import dev.synapse.spark.SynapseSparkPlugin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Spark benchmark of issue "Scale-out": {@code y = x * 2 + 1} over rows of (id int64, x
 * float64) in Spark local mode, (a) through synapse-spark to a numpy function, (b) through {@code
 * RDD.pipe()} to a Python script reading and writing lines, (c) as a Java map function, and the
 * same as a Spark SQL expression (code-generated, no function call per row), for 1 and 2 cores.
 * Each figure is the median of three timed runs after one warm-up run; the job sums y, so every row
 * is mapped, and the sums of all methods are checked against each other.
 *
 * <p>Arguments: the result file, the number of rows (default 10,000,000), the venv with numpy and
 * pyarrow (default synapse-spark's test venv).
 */
public final class SparkMapBench {
  private static final StructType OUT =
      new StructType().add("id", DataTypes.LongType).add("y", DataTypes.DoubleType);
  private static final int PARTITIONS = 8;
  private static final int RUNS = 3;

  private SparkMapBench() {}

  public static void main(String[] args) throws IOException {
    Path result = Path.of(args.length > 0 ? args[0] : "../bench/results/spark-map.md");
    long rows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
    Path venv = Path.of(args.length > 2 ? args[2] : "target/spark-test-venv").toAbsolutePath();
    Path module = Path.of("src/test/python/arrowmap").toAbsolutePath();
    Path pipeScript = Path.of("src/test/python/pipe/pipe_map.py").toAbsolutePath();
    Instant started = Instant.now();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    Map<String, Map<Integer, Double>> rowsPerSecond = new LinkedHashMap<>();
    List<String> checks = new ArrayList<>();
    // y = id / 2 * 2 + 1 = id + 1, summed over id = 0 .. rows - 1
    double expectedSum = (double) rows * (rows - 1) / 2 + rows;
    for (int cores : new int[] {1, 2}) {
      SparkSession spark =
          SparkSession.builder()
              .master("local[" + cores + "]")
              .appName("synapse-spark-bench")
              .config("spark.ui.enabled", "false")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.plugins", SynapseSparkPlugin.class.getName())
              .getOrCreate();
      try {
        Dataset<Row> table = table(spark, rows);
        Dataset<Row> warmUp = table(spark, Math.max(1, rows / 10));
        PythonModule python = PythonModule.at(module).venvDirectory(venv.toString()).build();
        String pythonExecutable = venv.resolve("bin/python").toString();
        Map<String, Function<Dataset<Row>, Double>> methods = new LinkedHashMap<>();
        methods.put(
            "(a) synapse-spark, numpy",
            rowsIn -> sumY(PythonMap.of(python, "vectorised", OUT).apply(rowsIn)));
        methods.put(
            "(b) RDD.pipe(), Python lines", rowsIn -> pipe(rowsIn, pythonExecutable, pipeScript));
        methods.put("(c) Java map function", rowsIn -> sumY(javaMap(rowsIn)));
        methods.put(
            "Spark SQL expression",
            rowsIn -> sumY(rowsIn.withColumn("y", col("x").multiply(2).plus(1))));
        for (Map.Entry<String, Function<Dataset<Row>, Double>> method : methods.entrySet()) {
          method.getValue().apply(warmUp); // JIT, the pool's spawn
          double[] seconds = new double[RUNS];
          for (int run = 0; run < RUNS; run++) {
            long start = System.nanoTime();
            double sum = method.getValue().apply(table);
            seconds[run] = (System.nanoTime() - start) / 1e9;
            if (Math.abs(sum - expectedSum) > expectedSum * 1e-9) {
              throw new IllegalStateException(
                  method.getKey() + " summed " + sum + ", expected " + expectedSum);
            }
          }
          Arrays.sort(seconds);
          double perSecond = rows / seconds[RUNS / 2];
          rowsPerSecond
              .computeIfAbsent(method.getKey(), k -> new LinkedHashMap<>())
              .put(cores, perSecond);
          checks.add(
              String.format(
                  "%s, %d core(s): runs %s s", method.getKey(), cores, Arrays.toString(seconds)));
          System.out.printf("%s, %d core(s): %,.0f rows/s%n", method.getKey(), cores, perSecond);
        }
      } finally {
        spark.stop();
      }
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Files.writeString(result, report(rows, started, loadBefore, loadAfter, rowsPerSecond, checks));
    System.out.println("Wrote " + result.toAbsolutePath().normalize());
  }

  private static Dataset<Row> table(SparkSession spark, long rows) {
    return spark.range(0, rows, 1, PARTITIONS).toDF().withColumn("x", col("id").divide(2.0));
  }

  private static double sumY(Dataset<Row> mapped) {
    return mapped.agg(sum("y")).first().getDouble(0);
  }

  private static Dataset<Row> javaMap(Dataset<Row> table) {
    return table.map(
        (MapFunction<Row, Row>) row -> RowFactory.create(row.getLong(0), row.getDouble(1) * 2 + 1),
        Encoders.row(OUT));
  }

  private static double pipe(Dataset<Row> table, String python, Path script) {
    JavaRDD<String> lines = table.javaRDD().map(row -> row.getLong(0) + "," + row.getDouble(1));
    return lines
        .pipe(List.of(python, script.toString()))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(',') + 1)))
        .sum();
  }

  private static String report(
      long rows,
      Instant started,
      double loadBefore,
      double loadAfter,
      Map<String, Map<Integer, Double>> rowsPerSecond,
      List<String> checks) {
    StringBuilder out = new StringBuilder();
    out.append("# synapse-spark benchmark: y = x * 2 + 1 over ")
        .append(String.format("%,d", rows))
        .append(" rows\n\n");
    out.append("- Date: ")
        .append(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .withZone(ZoneOffset.UTC)
                .format(started));
    out.append(", the run took ")
        .append(Duration.between(started, Instant.now()).toSeconds())
        .append(" s\n");
    out.append(
        "- Command: `mvn -B -o -pl synapse-spark -am test-compile -Pspark-bench` (after the module's tests made its venv)\n");
    out.append("- Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs, Linux; load average ")
        .append(String.format("%.1f before, %.1f after", loadBefore, loadAfter))
        .append(" (**a shared, loaded machine: one run, ratios only indicative**)\n");
    out.append("- JDK ")
        .append(System.getProperty("java.version"))
        .append(", Spark local mode, ")
        .append(PARTITIONS)
        .append(" partitions, synapse-spark batches of 10,000 rows, one worker per core\n");
    out.append("- Rows/s: the median of ")
        .append(RUNS)
        .append(
            " timed runs after a warm-up run on a tenth of the rows; each run sums y over all rows and checks the sum\n\n");
    out.append(
        "| Method | 1 core, rows/s | 2 cores, rows/s | 2 cores ÷ 1 core |\n|---|--:|--:|--:|\n");
    rowsPerSecond.forEach(
        (method, byCores) ->
            out.append(
                String.format(
                    "| %s | %,.0f | %,.0f | %.2f× |%n",
                    method, byCores.get(1), byCores.get(2), byCores.get(2) / byCores.get(1))));
    Map<Integer, Double> a = rowsPerSecond.get("(a) synapse-spark, numpy");
    Map<Integer, Double> b = rowsPerSecond.get("(b) RDD.pipe(), Python lines");
    Map<Integer, Double> c = rowsPerSecond.get("(c) Java map function");
    out.append("\n| Ratio (2 cores) | Value | Target | Status |\n|---|--:|---|---|\n");
    out.append(
        String.format(
            "| (a) ÷ (b) | %.1f× | ≥ 10× | %s |%n",
            a.get(2) / b.get(2), a.get(2) / b.get(2) >= 10 ? "met" : "**missed**"));
    out.append(
        String.format(
            "| (c) ÷ (a) | %.2f× | ≤ 3× | %s |%n",
            c.get(2) / a.get(2), c.get(2) / a.get(2) <= 3 ? "met" : "**missed**"));
    out.append("\nRuns:\n\n");
    checks.forEach(line -> out.append("- ").append(line).append('\n'));
    return out.toString();
  }
}
