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
 * Callback round trips against plain round trips with as many crossings of the pipe, timed by hand
 * in alternating rounds on one worker, so that both see the same load of a shared machine. (Timed
 * with JMH, each in forks of its own, the two drifted apart with the load of the machine between
 * forks.)
 *
 * <ul>
 *   <li>A callback: Java → Python → Java, which answers, → Python, which returns: four crossings,
 *       against two plain round trips.
 *   <li>Three levels deep: Java → Python → Java → Python, whose answer goes back the same way: six
 *       crossings, against three plain round trips.
 * </ul>
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
    int warmup = settings.quick() ? 2_000 : 20_000;
    Pair[] pairs = alternate(rounds, warmup);
    Pair callback = pairs[0];
    Pair nested = pairs[1];
    return new SuiteResult(
        List.of(
            Row.of(
                "Callback round trip p50 ÷ two plain round trips' p50, per round",
                Unit.TIMES,
                Measured.of(callback.ratios),
                null,
                Target.atMost(1.3)),
            Row.of(
                "Callback round trip p50 (floor: two plain round trips)",
                Unit.MICROSECONDS,
                Measured.of(callback.p50s),
                Measured.of(callback.floorP50s),
                Target.none("")),
            Row.of(
                "Callback round trip p99 (floor: two plain round trips)",
                Unit.MICROSECONDS,
                Measured.of(callback.p99s),
                Measured.of(callback.floorP99s),
                Target.none("")),
            Row.of(
                "Callback three levels deep p50 ÷ three plain round trips' p50, per round",
                Unit.TIMES,
                Measured.of(nested.ratios),
                null,
                Target.none("")),
            Row.of(
                "Callback three levels deep p50 (floor: three plain round trips)",
                Unit.MICROSECONDS,
                Measured.of(nested.p50s),
                Measured.of(nested.floorP50s),
                Target.none(""))),
        List.of(
            "Callback: one thread, `invoke(\"relay\", {\"foo\":\"bar\"})` on `callback/main.py`,"
                + " whose plain handler calls the exposed Java function `answer`"
                + " (`pysynapse.host.call`), which returns its input (Java → Python → Java → Python,"
                + " which returns: four crossings of the pipe); floor: two"
                + " `invoke(\"echo\", {\"foo\":\"bar\"})` in a row on the same worker.",
            "Three levels deep: `invoke(\"relay_nested\", ...)`, whose handler calls the Java"
                + " function `back`, which invokes `echo` on the same worker while `relay_nested`"
                + " waits (six crossings); floor: three `echo` calls in a row.",
            "Both: after "
                + warmup
                + " of each operation to warm up, "
                + rounds
                + " rounds of "
                + PER_ROUND
                + " of each, a callback and its floor in turn (which goes first alternates), each"
                + " operation timed with `System.nanoTime()` in the benchmark's own JVM; a cell is"
                + " the median (min–max) of the rounds' percentiles. The load of a shared machine"
                + " moves between rounds, so the target is judged on the ratio within each round"
                + " (the ratio rows), not on the ratio of the medians."));
  }

  /** A callback's percentiles and its floor's, per round. */
  private record Pair(
      double[] p50s, double[] floorP50s, double[] p99s, double[] floorP99s, double[] ratios) {
    Pair(int rounds) {
      this(
          new double[rounds],
          new double[rounds],
          new double[rounds],
          new double[rounds],
          new double[rounds]);
    }

    /** Times {@code PER_ROUND} of each in turn, {@code callback} first if {@code callbackFirst}. */
    void round(int round, Supplier<Object> callback, Supplier<Object> floor, boolean first) {
      long[] before = time(first ? callback : floor, PER_ROUND);
      long[] after = time(first ? floor : callback, PER_ROUND);
      long[] callbacks = first ? before : after;
      long[] floors = first ? after : before;
      p50s[round] = micros(callbacks, 0.50);
      floorP50s[round] = micros(floors, 0.50);
      p99s[round] = micros(callbacks, 0.99);
      floorP99s[round] = micros(floors, 0.99);
      ratios[round] = p50s[round] / floorP50s[round];
    }
  }

  /** The plain callback's and the three-level callback's figures, in that order. */
  private static Pair[] alternate(int rounds, int warmup) {
    AtomicReference<Synapse> self = new AtomicReference<>();
    try (Synapse synapse =
        Workers.spawn(
            "callback",
            BenchModules.python(),
            builder ->
                builder
                    .expose("answer", input -> input)
                    .expose("back", input -> self.get().invoke("echo", input)))) {
      self.set(synapse);
      Supplier<Object> callback = () -> synapse.invoke("relay", Workers.FOO_BAR);
      Supplier<Object> nested = () -> synapse.invoke("relay_nested", Workers.FOO_BAR);
      Supplier<Object> twoCalls = () -> echoes(synapse, 2);
      Supplier<Object> threeCalls = () -> echoes(synapse, 3);
      for (Supplier<Object> operation : List.of(callback, twoCalls, nested, threeCalls)) {
        time(operation, warmup);
      }
      Pair plain = new Pair(rounds);
      Pair deep = new Pair(rounds);
      for (int round = 0; round < rounds; round++) {
        plain.round(round, callback, twoCalls, round % 2 == 0);
        deep.round(round, nested, threeCalls, round % 2 == 0);
      }
      return new Pair[] {plain, deep};
    }
  }

  private static Object echoes(Synapse synapse, int count) {
    Object answer = null;
    for (int i = 0; i < count; i++) {
      answer = synapse.invoke("echo", Workers.FOO_BAR);
    }
    return answer;
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
