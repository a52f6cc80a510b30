package dev.synapse.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers per executor: made on first use, shared by tasks, ended with the executor. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ExecutorLifecycleTest {
  private static final StructType ID = new StructType().add("id", DataTypes.LongType);

  @TempDir Path markers;
  private SparkSession spark;

  @AfterEach
  void stop() {
    if (spark != null) {
      spark.stop();
    }
    ExecutorPools.closeAll();
  }

  @Test
  void shippedModule_runsOnThePoolOfTheExecutor_whichEndsWithTheSession() {
    spark = SparkFixture.session(true);
    PythonModule shipped =
        SynapseSpark.ship(spark, SparkFixture.MODULE, "arrowmap")
            .venvDirectory(SparkFixture.VENV.toString())
            .environment("SPARK_TEST_MARKERS", markers.toString())
            .build();

    Dataset<Row> ids = spark.range(0, 10_000, 1, 8).toDF();
    for (int job = 0; job < 3; job++) {
      assertThat(PythonMap.of(shipped, "ids", ID).batchSize(100).apply(ids).count())
          .isEqualTo(10_000);
    }
    // 3 jobs of 8 tasks each, on one pool of 2 workers (local[2]): no process per partition
    List<ProcessHandle> workers = SparkFixture.pythonProcesses();
    assertThat(workers).hasSize(2);
    assertThat(ExecutorPools.openPools()).isEqualTo(1);

    spark.stop();
    spark = null;

    assertThat(ExecutorPools.openPools()).isZero();
    await().atMost(SparkFixture.TIMEOUT).until(() -> SparkFixture.pythonProcesses().isEmpty());
  }

  @Test
  void withoutThePlugin_aNewSparkContextEndsTheWorkersOfTheOldOne() {
    PythonModule module = SparkFixture.module(markers).workersPerExecutor(1).build();
    spark = SparkFixture.session(false);
    assertThat(PythonMap.of(module, "ids", ID).apply(spark.range(10).toDF()).count()).isEqualTo(10);
    List<ProcessHandle> first = SparkFixture.pythonProcesses();
    assertThat(first).hasSize(1);
    spark.stop();

    spark = SparkFixture.session(false);
    assertThat(PythonMap.of(module, "ids", ID).apply(spark.range(10).toDF()).count()).isEqualTo(10);

    await()
        .atMost(SparkFixture.TIMEOUT)
        .until(() -> first.stream().noneMatch(ProcessHandle::isAlive));
    assertThat(SparkFixture.pythonProcesses()).hasSize(1);
  }
}
