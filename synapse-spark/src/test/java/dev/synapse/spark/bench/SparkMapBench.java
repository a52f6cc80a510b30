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
 * pyarrow (default synapse-spark's test venv). System properties: {@code spark.bench.cores}
 * (default "1,2"), {@code spark.bench.methods} and {@code spark.bench.methods.N} (the methods to
 * run, at all core counts or at N cores, by label, e.g. "(a)(c)"; default all), {@code
 * spark.bench.batchSize}. Besides wall-clock time, each run's CPU time of the JVM and of the Python
 * processes is reported: on a shared machine it says more than the wall clock.
 */
public final class SparkMapBench {
  private static final StructType OUT =
      new StructType().add("id", DataTypes.LongType).add("y", DataTypes.DoubleType);
  private static final int PARTITIONS = 8;
  private static final int RUNS = 3;
  private static final int BATCH_SIZE = Integer.getInteger("spark.bench.batchSize", 10_000);

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
    Map<String, Map<Integer, Double>> cpuPerMillion = new LinkedHashMap<>();
    List<String> checks = new ArrayList<>();
    // y = id / 2 * 2 + 1 = id + 1, summed over id = 0 .. rows - 1
    double expectedSum = (double) rows * (rows - 1) / 2 + rows;
    int[] coreCounts =
        Arrays.stream(System.getProperty("spark.bench.cores", "1,2").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    for (int cores : coreCounts) {
      // e.g. -Dspark.bench.methods.1=(a) runs only (a) at 1 core
      String only =
          System.getProperty(
              "spark.bench.methods." + cores, System.getProperty("spark.bench.methods", ""));
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
            rowsIn ->
                sumY(PythonMap.of(python, "vectorised", OUT).batchSize(BATCH_SIZE).apply(rowsIn)));
        methods.put(
            "(b) RDD.pipe(), Python lines", rowsIn -> pipe(rowsIn, pythonExecutable, pipeScript));
        methods.put("(c) Java map function", rowsIn -> sumY(javaMap(rowsIn)));
        methods.put(
            "Spark SQL expression",
            rowsIn -> sumY(rowsIn.withColumn("y", col("x").multiply(2).plus(1))));
        for (Map.Entry<String, Function<Dataset<Row>, Double>> method : methods.entrySet()) {
          if (!only.isEmpty() && !only.contains(method.getKey().substring(0, 3))) {
            continue;
          }
          method.getValue().apply(warmUp); // JIT, the pool's spawn
          double[] seconds = new double[RUNS];
          double[] jvmCpu = new double[RUNS];
          double[] childCpu = new double[RUNS];
          for (int run = 0; run < RUNS; run++) {
            long jvmBefore = jvmCpuNanos();
            long childBefore = childCpuNanos();
            long start = System.nanoTime();
            double sum = method.getValue().apply(table);
            seconds[run] = (System.nanoTime() - start) / 1e9;
            jvmCpu[run] = (jvmCpuNanos() - jvmBefore) / 1e9;
            childCpu[run] = (childCpuNanos() - childBefore) / 1e9;
            if (Math.abs(sum - expectedSum) > expectedSum * 1e-9) {
              throw new IllegalStateException(
                  method.getKey() + " summed " + sum + ", expected " + expectedSum);
            }
          }
          double[] cpu = new double[RUNS];
          Arrays.setAll(cpu, run -> jvmCpu[run] + childCpu[run]);
          Arrays.sort(cpu);
          cpuPerMillion
              .computeIfAbsent(method.getKey(), k -> new LinkedHashMap<>())
              .put(cores, cpu[RUNS / 2] / rows * 1e6);
          Arrays.sort(seconds);
          double perSecond = rows / seconds[RUNS / 2];
          rowsPerSecond
              .computeIfAbsent(method.getKey(), k -> new LinkedHashMap<>())
              .put(cores, perSecond);
          checks.add(
              String.format(
                  "%s, %d core(s): runs %s s; CPU of the JVM %s s, of its child processes %s s",
                  method.getKey(),
                  cores,
                  Arrays.toString(seconds),
                  Arrays.toString(jvmCpu),
                  Arrays.toString(childCpu)));
          System.out.printf("%,.0f rows/s; %s%n", perSecond, checks.get(checks.size() - 1));
        }
      } finally {
        spark.stop();
      }
    }
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Files.writeString(
        result, report(rows, started, loadBefore, loadAfter, rowsPerSecond, cpuPerMillion, checks));
    System.out.println("Wrote " + result.toAbsolutePath().normalize());
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * CPU time of the processes this JVM started: those alive (the pools' workers) and those ended
   * and waited for (a pipe's process per task; {@code cutime}, {@code cstime} of /proc/self/stat,
   * in ticks of 1/100 s).
   */
  private static long childCpuNanos() {
    long alive =
        ProcessHandle.current()
            .descendants()
            .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
            .sum();
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields[0] is the state (field 3 of proc(5)): cutime and cstime are fields 16 and 17
      long ended = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      return alive + ended * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return alive;
    }
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
      Map<String, Map<Integer, Double>> cpuPerMillion,
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
    String oneCore = System.getProperty("spark.bench.methods.1", "");
    out.append("- Command: `mvn -B -o -pl synapse-spark -am test-compile -Pspark-bench")
        .append(oneCore.isEmpty() ? "" : " -Dspark.bench.methods.1=" + oneCore)
        .append("` (after the module's tests made its venv)\n");
    out.append("- Machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs, Linux; load average ")
        .append(String.format("%.1f before, %.1f after", loadBefore, loadAfter))
        .append(" (**a shared, loaded machine: one run, ratios only indicative**)\n");
    out.append("- JDK ")
        .append(System.getProperty("java.version"))
        .append(", Spark local mode, ")
        .append(PARTITIONS)
        .append(" partitions, synapse-spark batches of ")
        .append(String.format("%,d", BATCH_SIZE))
        .append(" rows, one worker per core\n");
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
                    "| %s | %s | %s | %s |%n",
                    method,
                    perSecond(byCores.get(1)),
                    perSecond(byCores.get(2)),
                    ratio(byCores.get(2), byCores.get(1), "%.2f×"))));
    Map<Integer, Double> none = Map.of();
    Double a = rowsPerSecond.getOrDefault("(a) synapse-spark, numpy", none).get(2);
    Double b = rowsPerSecond.getOrDefault("(b) RDD.pipe(), Python lines", none).get(2);
    Double c = rowsPerSecond.getOrDefault("(c) Java map function", none).get(2);
    out.append("\n| Ratio (2 cores) | Value | Target | Status |\n|---|--:|---|---|\n");
    out.append(
        String.format(
            "| (a) ÷ (b) | %s | ≥ 10× | %s |%n",
            ratio(a, b, "%.1f×"),
            a == null || b == null ? "not run" : a / b >= 10 ? "met" : "**missed**"));
    out.append(
        String.format(
            "| (c) ÷ (a) | %s | ≤ 3× | %s |%n",
            ratio(c, a, "%.2f×"),
            a == null || c == null ? "not run" : c / a <= 3 ? "met" : "**missed**"));
    out.append(
        "\nCPU seconds per million rows (the JVM and the processes it started, median run):\n\n"
            + "| Method | 1 core | 2 cores |\n|---|--:|--:|\n");
    cpuPerMillion.forEach(
        (method, byCores) ->
            out.append(
                String.format(
                    "| %s | %s | %s |%n",
                    method, seconds(byCores.get(1)), seconds(byCores.get(2)))));
    out.append("\nRuns:\n\n");
    checks.forEach(line -> out.append("- ").append(line).append('\n'));
    return out.toString();
  }

  private static String perSecond(Double rowsPerSecond) {
    return rowsPerSecond == null ? "–" : String.format("%,.0f", rowsPerSecond);
  }

  private static String seconds(Double value) {
    return value == null ? "–" : String.format("%.3f", value);
  }

  private static String ratio(Double numerator, Double denominator, String format) {
    return numerator == null || denominator == null
        ? "–"
        : String.format(format, numerator / denominator);
  }
}
