package dev.synapse.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.synapse.PythonException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PythonMapTest {
  private static final StructType ID_X_Y =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("x", DataTypes.DoubleType, true)
          .add("y", DataTypes.DoubleType, true);
  private static final StructType ID = new StructType().add("id", DataTypes.LongType);

  @TempDir static Path markers;
  private static SparkSession spark;
  private static PythonModule module;

  @BeforeAll
  static void start() {
    spark = SparkFixture.session(true);
    module = SparkFixture.module(markers).build();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  /** id, and x = id / 4 (null where id % 1000 == 7 when {@code withNulls}). */
  private static Dataset<Row> table(long rows, int partitions, boolean withNulls) {
    Dataset<Row> ids = spark.range(0, rows, 1, partitions).toDF();
    return ids.withColumn(
        "x",
        withNulls
            ? when(col("id").mod(1000).equalTo(7), lit(null).cast("double"))
                .otherwise(col("id").divide(4.0))
            : col("id").divide(4.0));
  }

  @Test
  void hundredThousandRows_everyRowMapped() {
    List<Row> rows =
        PythonMap.of(module, "double", ID_X_Y)
            .batchSize(4096)
            .apply(table(100_000, 4, false))
            .orderBy("id")
            .collectAsList();

    assertThat(rows).hasSize(100_000);
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      double x = i / 4.0;
      assertThat(row.getLong(0)).isEqualTo(i);
      assertThat(row.getDouble(1)).isEqualTo(x);
      assertThat(row.getDouble(2)).isEqualTo(x * 2 + 1);
    }
  }

  @Test
  void nulls_stayNull() {
    List<Row> rows =
        PythonMap.of(module, "double", ID_X_Y)
            .batchSize(500)
            .apply(table(5_000, 2, true))
            .orderBy("id")
            .collectAsList();

    assertThat(rows).hasSize(5_000);
    for (Row row : rows) {
      long id = row.getLong(0);
      if (id % 1000 == 7) {
        assertThat(row.isNullAt(1)).as("x of %d", id).isTrue();
        assertThat(row.isNullAt(2)).as("y of %d", id).isTrue();
      } else {
        assertThat(row.getDouble(2)).isEqualTo(id / 4.0 * 2 + 1);
      }
    }
  }

  @Test
  void emptyPartitions_giveNoRows() {
    Dataset<Row> sparse = table(3, 8, false); // 8 partitions, 5 of them empty
    assertThat(PythonMap.of(module, "double", ID_X_Y).apply(sparse).count()).isEqualTo(3);

    Dataset<Row> empty = table(100, 4, false).filter(col("id").lt(0));
    assertThat(PythonMap.of(module, "double", ID_X_Y).apply(empty).collectAsList()).isEmpty();
  }

  @Test
  void batchSize_splitsPartitions() {
    List<Row> counts =
        PythonMap.of(module, "count_rows", new StructType().add("n", DataTypes.LongType))
            .batchSize(300)
            .apply(table(1_000, 1, false))
            .collectAsList();

    assertThat(counts).extracting(row -> row.getLong(0)).containsExactly(300L, 300L, 300L, 100L);
  }

  @Test
  void pythonException_failsTheJobWithTheTraceback() {
    Dataset<Row> failing = PythonMap.of(module, "fail_on_4242", ID).apply(table(10_000, 2, false));

    assertThatThrownBy(failing::collectAsList)
        .isInstanceOf(SparkException.class)
        .hasMessageContaining("ValueError")
        .hasMessageContaining("row 4242 is not allowed")
        .hasMessageContaining("Traceback")
        .hasMessageContaining("_check_row")
        .hasRootCauseInstanceOf(PythonException.class);
  }

  @Test
  void renamedColumn_failsNamingIt() {
    Dataset<Row> renamed = PythonMap.of(module, "renamed", ID).apply(table(10, 1, false));

    assertThatThrownBy(renamed::collectAsList)
        .hasMessageContaining("The Python function 'renamed' returned column 'identifier'")
        .hasMessageContaining("where column 'id' was declared")
        .hasRootCauseInstanceOf(OutputSchemaException.class);
  }

  @Test
  void retypedColumn_failsNamingIt() {
    Dataset<Row> retyped = PythonMap.of(module, "retyped", ID).apply(table(10, 1, false));

    assertThatThrownBy(retyped::collectAsList)
        .hasMessageContaining("returned column 'id' as string")
        .hasMessageContaining("the declared type is bigint");
  }

  @Test
  void nullsInAColumnDeclaredNotNull_fail() {
    StructType xNotNull =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("x", DataTypes.DoubleType, false)
            .add("y", DataTypes.DoubleType);
    Dataset<Row> mapped = PythonMap.of(module, "double", xNotNull).apply(table(2_000, 1, true));

    assertThatThrownBy(mapped::collectAsList)
        .hasMessageContaining("returned nulls in column 'x', which is declared not nullable");
  }

  @Test
  void workerKilledMidPartition_taskRetrySucceeds() throws Exception {
    List<Row> rows =
        PythonMap.of(module, "die_once", ID)
            .batchSize(1000)
            .apply(table(20_000, 2, false))
            .collectAsList();

    assertThat(Files.exists(markers.resolve("died"))).isTrue();
    assertThat(rows).hasSize(20_000);
    long killed = Long.parseLong(Files.readString(markers.resolve("died")));
    assertThat(ProcessHandle.of(killed).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
  }

  @Test
  void cancelledJob_cancelsThePythonCall_andLeavesNoExtraProcess() throws Exception {
    int workersBefore = warmUp();
    Dataset<Row> sleeping = PythonMap.of(module, "sleep_forever", ID).apply(table(10, 1, false));
    CompletableFuture<List<Row>> job =
        CompletableFuture.supplyAsync(
            () -> {
              spark.sparkContext().setJobGroup("sleepers", "sleeps until cancelled", false);
              return sleeping.collectAsList();
            });
    await().atMost(SparkFixture.TIMEOUT).until(() -> markersNamed("sleeping-") == 1);

    spark.sparkContext().cancelJobGroup("sleepers");

    assertThatThrownBy(() -> job.get(2, TimeUnit.MINUTES)).hasMessageContaining("cancelled");
    await().atMost(SparkFixture.TIMEOUT).until(() -> markersNamed("cancelled-") == 1);
    await()
        .atMost(SparkFixture.TIMEOUT)
        .until(() -> SparkFixture.pythonProcesses().size() == workersBefore);
    assertThat(PythonMap.of(module, "double", ID_X_Y).apply(table(10, 1, false)).count())
        .isEqualTo(10);
  }

  @Test
  void typedDatasets_useEncoders() {
    Dataset<Long> ids = spark.range(0, 100, 1, 2).as(Encoders.LONG());
    Dataset<Long> same = PythonMap.of(module, "ids", ID).apply(ids, Encoders.LONG());
    assertThat(same.collectAsList()).hasSize(100).containsAll(ids.collectAsList());
  }

  @Test
  void metrics_countCallsAndRows() {
    PythonMapMetrics metrics = PythonMapMetrics.register(spark.sparkContext(), "test");
    PythonMap.of(module, "double", ID_X_Y)
        .batchSize(250)
        .withMetrics(metrics)
        .apply(table(1_000, 2, false))
        .count();

    assertThat(metrics.calls()).as("one call per partition").isEqualTo(2);
    assertThat(metrics.rowsIn()).isEqualTo(1_000);
    assertThat(metrics.rowsOut()).isEqualTo(1_000);
    assertThat(metrics.pythonNanos()).isPositive();
    assertThat(metrics.workerRestarts()).isZero();
  }

  private static int warmUp() {
    PythonMap.of(module, "double", ID_X_Y).apply(table(10, 2, false)).count();
    return SparkFixture.pythonProcesses().size();
  }

  private static long markersNamed(String prefix) throws Exception {
    try (Stream<Path> files = Files.list(markers)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).count();
    }
  }
}
