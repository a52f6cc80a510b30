package dev.synapse.bench.jmh;

import dev.synapse.bench.fixture.BenchModules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmarks of one JMH class in forked JVMs and hands back their results for the table.
 * JMH's own report of each class goes to {@code <logs>/<class>.log} instead of the console, so the
 * console shows progress lines (on stderr) and the table (on stdout).
 *
 * <p>The forks get a fixed heap ({@link #FORK_HEAP}), so the figures do not depend on the machine's
 * memory size, any extra JVM options given in {@value #EXTRA_FORK_OPTIONS} (e.g. {@code
 * -XX:+AlwaysPreTouch}), and the system properties that say where the Python modules are.
 */
public final class JmhRunner {
  /** The heap options of every forked JVM. */
  public static final List<String> FORK_HEAP = List.of("-Xms1g", "-Xmx1g");

  /**
   * The system property with extra JVM options for every forked JVM, separated by spaces; empty by
   * default.
   */
  public static final String EXTRA_FORK_OPTIONS = "bench.forkJvmArgs";

  private final Path logs;

  /** Writes JMH's reports into {@code logs}. */
  public JmhRunner(Path logs) {
    this.logs = logs;
  }

  /**
   * Runs every benchmark method of {@code benchmark}.
   *
   * @param params values for the class's {@code @Param} fields, overriding its annotations
   * @throws RunnerException if a benchmark fails (its set-up, or a call), with JMH's log to look at
   */
  public Collection<RunResult> run(
      Class<?> benchmark, JmhProfile profile, Map<String, List<String>> params)
      throws RunnerException, IOException {
    Files.createDirectories(logs);
    Path log = logs.resolve(benchmark.getSimpleName() + ".log");
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .include("^" + Pattern.quote(benchmark.getName()) + "\\.")
            .forks(profile.forks())
            .warmupIterations(profile.warmups())
            .warmupTime(TimeValue.milliseconds(profile.iteration().toMillis()))
            .measurementIterations(profile.iterations())
            .measurementTime(TimeValue.milliseconds(profile.iteration().toMillis()))
            .jvmArgs(forkArguments())
            .shouldFailOnError(true)
            .output(log.toString());
    params.forEach((name, values) -> options.param(name, values.toArray(String[]::new)));
    System.err.println(
        "  JMH " + benchmark.getSimpleName() + ": " + profile.describe() + "; log " + log);
    try {
      return new Runner(options.build()).run();
    } catch (RunnerException e) {
      throw new RunnerException(benchmark.getSimpleName() + " failed; see " + log, e);
    }
  }

  /** The JVM options of every forked JVM: {@link #FORK_HEAP}, then {@value #EXTRA_FORK_OPTIONS}. */
  public static List<String> forkOptions() {
    List<String> options = new ArrayList<>(FORK_HEAP);
    for (String option : System.getProperty(EXTRA_FORK_OPTIONS, "").trim().split("\\s+")) {
      if (!option.isEmpty()) {
        options.add(option);
      }
    }
    return List.copyOf(options);
  }

  private static String[] forkArguments() {
    List<String> arguments = new ArrayList<>(forkOptions());
    arguments.add("-D" + BenchModules.PYTHON + "=" + BenchModules.python());
    arguments.add("-D" + BenchModules.PURE_PYTHON + "=" + BenchModules.purePython());
    arguments.add("-D" + BenchModules.MODULES + "=" + BenchModules.root());
    arguments.add(
        "-D" + BenchModules.WORKER_ENV + "=" + System.getProperty(BenchModules.WORKER_ENV, ""));
    return arguments.toArray(String[]::new);
  }
}
