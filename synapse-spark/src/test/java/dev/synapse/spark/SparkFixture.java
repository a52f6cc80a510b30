package dev.synapse.spark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** The test module, its shared venv, a local SparkSession, and the Python processes of this JVM. */
final class SparkFixture {
  /** The Python functions of the tests (src/test/python/arrowmap/main.py). */
  static final Path MODULE = Path.of("src/test/python/arrowmap").toAbsolutePath();

  /** One venv (pyarrow, numpy) for every test class: made once, then reused. */
  static final Path VENV = Path.of("target/spark-test-venv").toAbsolutePath();

  static final Duration TIMEOUT = Duration.ofMinutes(3);

  private SparkFixture() {}

  /**
   * A local session: 2 task slots, a failed task tried up to 4 times, the executor plugin, no UI.
   */
  static SparkSession session(boolean plugin) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .master("local[2,4]")
            .appName("synapse-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC");
    if (plugin) {
      builder.config("spark.plugins", SynapseSparkPlugin.class.getName());
    }
    return builder.getOrCreate();
  }

  /** The test module with its venv in {@link #VENV} and marker files in {@code markers}. */
  static PythonModule.Builder module(Path markers) {
    return PythonModule.at(MODULE)
        .venvDirectory(VENV.toString())
        .environment("SPARK_TEST_MARKERS", markers.toString());
  }

  /** The Python processes this JVM started (the workers, and anything they started). */
  static List<ProcessHandle> pythonProcesses() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("python")).orElse(false))
        .toList();
  }
}
