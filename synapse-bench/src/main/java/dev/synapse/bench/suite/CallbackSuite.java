package dev.synapse.bench.suite;

import dev.synapse.Synapse;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.fixture.Workers;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A callback round trip (Java → Python → Java → Python, and back) against two plain round trips,
 * timed by hand in alternating rounds on one worker, so that both see the same load of a shared
 * machine. (Timed with JMH, each in forks of its own, the two drifted apart with the load of the
 * machine between forks.)
 */
public final class CallbackSuite implements Suite {
  private static final int PER_ROUND = 1000;

  @Override
  public String id() {
    return "callback";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    int rounds = settings.quick() ? 6 : 30;
    double[][] alternating = alternate(rounds, settings.quick() ? 2_000 : 20_000);
    String figure = "Callback round trip %s (floor: two plain round trips)";
    return new SuiteResult(
        List.of(
            Row.of(
                "Callback round trip p50 ÷ two plain round trips' p50, per round",
                Unit.TIMES,
                Measured.of(alternating[4]),
                null,
                Target.atMost(1.3)),
            Row.of(
                String.format(figure, "p50"),
                Unit.MICROSECONDS,
                Measured.of(alternating[0]),
                Measured.of(alternating[1]),
                Target.none("")),
            Row.of(
                String.format(figure, "p99"),
                Unit.MICROSECONDS,
                Measured.of(alternating[2]),
                Measured.of(alternating[3]),
                Target.none(""))),
        List.of(
            "Callback: one thread, `invoke(\"relay\", {\"foo\":\"bar\"})` on `callback/main.py`,"
                + " whose plain handler calls the exposed Java function `back`"
                + " (`pysynapse.host.call`), which invokes `echo` on the same worker while `relay`"
                + " waits; floor: two `invoke(\"echo\", {\"foo\":\"bar\"})` in a row on the same"
                + " worker, after "
                + (settings.quick() ? 2_000 : 20_000)
                + " of each to warm up; "
                + rounds
                + " rounds of "
                + PER_ROUND
                + " of each, in turn (which goes first alternates), each operation timed with"
                + " `System.nanoTime()` in the benchmark's own JVM; a cell is the median (min–max)"
                + " of the rounds' percentiles. The load of a shared machine moves between rounds, so"
                + " the target is judged on the ratio within each round (first row), not on the"
                + " ratio of the medians."));
  }

  /** Of each round: the p50 of callbacks and of two calls, their p99, and the ratio of the p50s. */
  private static double[][] alternate(int rounds, int warmup) {
    AtomicReference<Synapse> self = new AtomicReference<>();
    try (Synapse synapse =
        Workers.spawn(
            "callback",
            BenchModules.python(),
            builder -> builder.expose("back", input -> self.get().invoke("echo", input)))) {
      self.set(synapse);
      Supplier<Object> callback = () -> synapse.invoke("relay", Workers.FOO_BAR);
      Supplier<Object> twoCalls =
          () -> {
            synapse.invoke("echo", Workers.FOO_BAR);
            return synapse.invoke("echo", Workers.FOO_BAR);
          };
      time(callback, warmup);
      time(twoCalls, warmup);
      double[][] results = new double[5][rounds];
      for (int round = 0; round < rounds; round++) {
        boolean callbackFirst = round % 2 == 0;
        long[] first = time(callbackFirst ? callback : twoCalls, PER_ROUND);
        long[] second = time(callbackFirst ? twoCalls : callback, PER_ROUND);
        long[] callbacks = callbackFirst ? first : second;
        long[] pairs = callbackFirst ? second : first;
        results[0][round] = micros(callbacks, 0.50);
        results[1][round] = micros(pairs, 0.50);
        results[2][round] = micros(callbacks, 0.99);
        results[3][round] = micros(pairs, 0.99);
        results[4][round] = results[0][round] / results[1][round];
      }
      return results;
    }
  }

  private static long[] time(Supplier<Object> operation, int count) {
    long[] nanos = new long[count];
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      if (!Workers.FOO_BAR.equals(operation.get())) {
        throw new IllegalStateException("The callback module does not echo " + Workers.FOO_BAR);
      }
      nanos[i] = System.nanoTime() - start;
    }
    return nanos;
  }

  private static double micros(long[] nanos, double quantile) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.round(quantile * (sorted.length - 1)))]
        / 1000.0;
  }
}
