package dev.synapse.arrow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synapse.Synapse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Workers of the test modules under {@code src/test/python}. The {@code tables} module's venv (its
 * requirements.txt: pyarrow, pandas, msgpack, from the package index pip is configured with) lives
 * under {@code target/test-venvs}, made by the first test class that needs it and reused by the
 * others and by later builds.
 */
final class TableWorkers {
  /**
   * Python 3.11, the interpreter the first {@code python3} on PATH is here: the package index holds
   * cp311 wheels of pyarrow and pandas. It has no pyarrow of its own.
   */
  static final String PYTHON = "python3";

  static final String MSGPACK = "msgpack";
  static final String PURE = "pure";

  private TableWorkers() {}

  static Path module(String name) {
    Path dir = Path.of(System.getProperty("synapse.test.fixtures", "src/test/python"), name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("No test module " + dir.toAbsolutePath());
    }
    return dir.toAbsolutePath();
  }

  /**
   * A worker of the {@code tables} module with the given codec ({@link #MSGPACK} or {@link #PURE}).
   */
  static Synapse tables(String codec) {
    return tables(codec, UnaryOperator.identity());
  }

  /** A worker like {@link #tables(String)}, its builder first given {@code settings}. */
  static Synapse tables(String codec, UnaryOperator<Synapse.Builder> settings) {
    Path venvs = Path.of(System.getProperty("synapse.test.venvs", "target/test-venvs"));
    Synapse.Builder builder =
        Synapse.builder()
            .python(PYTHON)
            .venvDirectory(venvs.resolve("tables").toAbsolutePath())
            // An unreachable default index fails at once instead of after five retries.
            .pipArguments("--retries", "0")
            .installTimeout(Duration.ofMinutes(10))
            .startupTimeout(Duration.ofMinutes(2));
    if (codec.equals(PURE)) {
      builder.environment("PYTHONPATH", module("without_msgpack").toString());
    }
    Synapse synapse = settings.apply(builder).build();
    try {
      synapse.spawn(module("tables"), "main");
      assertThat(synapse.invoke("codec", null)).isEqualTo(codec);
      return synapse;
    } catch (RuntimeException | AssertionError e) {
      synapse.close();
      throw e;
    }
  }

  /** A worker of the {@code plain} module on {@link #PYTHON} itself, which has no pyarrow. */
  static Synapse withoutPyarrow() {
    Synapse synapse = Synapse.builder().python(PYTHON).useInterpreterAsIs(true).build();
    synapse.spawn(module("plain"), "main");
    return synapse;
  }

  /**
   * Closes the workers, then checks that no process is left below this JVM and that the shared
   * allocator holds nothing: every table a typed call read was closed.
   */
  static void closeAll(Synapse... workers) {
    for (Synapse worker : workers) {
      if (worker != null) {
        worker.close();
      }
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
        .as("processes left")
        .isEmpty();
    assertThat(ArrowValues.allocator().getAllocatedMemory()).isZero();
  }
}
