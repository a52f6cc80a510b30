package dev.synapse.bench.jmh;

import dev.synapse.bench.report.Measured;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH results into {@link Measured} figures: one value per measured iteration of every fork
 * (a percentile of that iteration's samples, or its score), so that the table's spread shows how
 * much the figure moved between iterations and forks, not just JMH's error bar.
 */
public final class JmhScores {
  private JmhScores() {}

  /**
   * The result of benchmark method {@code method} with the given parameter values.
   *
   * @throws IllegalStateException if there is none
   */
  public static RunResult find(
      Collection<RunResult> results, String method, Map<String, String> params) {
    for (RunResult result : results) {
      String benchmark = result.getParams().getBenchmark();
      if (benchmark.endsWith("." + method)
          && params.entrySet().stream()
              .allMatch(p -> p.getValue().equals(result.getParams().getParam(p.getKey())))) {
        return result;
      }
    }
    throw new IllegalStateException("JMH returned no result for " + method + " " + params);
  }

  /** The {@code percentile} (0–100) of each iteration's samples, in the benchmark's time unit. */
  public static Measured percentile(RunResult result, double percentile) {
    return perIteration(result, score -> score.getStatistics().getPercentile(percentile));
  }

  /** Each iteration's score (ops per time unit, or time per op), in the benchmark's unit. */
  public static Measured score(RunResult result) {
    return perIteration(result, Result::getScore);
  }

  private static Measured perIteration(RunResult result, ToDoubleFunction<Result<?>> value) {
    List<Double> values = new ArrayList<>();
    for (BenchmarkResult fork : result.getBenchmarkResults()) {
      for (IterationResult iteration : fork.getIterationResults()) {
        values.add(value.applyAsDouble(iteration.getPrimaryResult()));
      }
    }
    return Measured.of(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * The rate of an AverageTime result in microseconds per call that moved {@code bytes} each, in
   * MB/s: bytes per microsecond is 10^6 bytes per second.
   */
  public static Measured megabytesPerSecond(RunResult result, long bytes) {
    return score(result).map(micros -> bytes / micros);
  }
}
