package dev.synapse.bench.suite;

import dev.synapse.SynapsePool;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * How a {@link SynapsePool} scales a CPU-bound Python handler: calls per second with 2 workers
 * against the same pool with 1 worker. The handler ({@code python/cpu/main.py}) is a pure-Python
 * loop that holds the GIL, so one worker process runs one call at a time and only a second process
 * adds throughput; the target of the issue is at least 1.8× on a two-core machine. Not a JMH
 * benchmark, since each figure needs its own worker processes: timed by hand, the two pools
 * alternating so that a drift of the machine hits both, after an unmeasured warm-up.
 *
 * <p>A control runs the same loop in bare interpreters ({@code raw/spin.py}, no Synapse), one
 * process against two at once, in the same run: it is the most any pool can reach on the machine as
 * it is, and tells a pool that does not scale from a machine that is busy with something else.
 */
public final class PoolScalingSuite implements Suite {
  /** About 10 ms per call on CPython 3.11. */
  private static final int LOOPS = 200_000;

  private static final double TARGET = 1.8;

  @Override
  public String id() {
    return "pool-scaling";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    int repetitions = settings.quick() ? 3 : 7;
    int callsPerWorker = settings.quick() ? 100 : 200;
    double[] one = new double[repetitions];
    double[] two = new double[repetitions];
    double[] bareOne = new double[repetitions];
    double[] bareTwo = new double[repetitions];
    try (SynapsePool single = spawn(settings, 1);
        SynapsePool pair = spawn(settings, 2)) {
      System.err.println(
          "  1 and 2 workers: 1 warm-up + "
              + repetitions
              + " repetitions of "
              + callsPerWorker
              + " calls per worker");
      for (int i = -1; i < repetitions; i++) {
        double s = callsPerSecond(single, callsPerWorker);
        double p = callsPerSecond(pair, 2 * callsPerWorker);
        double b1 = bareCallsPerSecond(settings.python(), 1, callsPerWorker);
        double b2 = bareCallsPerSecond(settings.python(), 2, callsPerWorker);
        if (i >= 0) {
          one[i] = s;
          two[i] = p;
          bareOne[i] = b1;
          bareTwo[i] = b2;
        }
      }
    }
    Row row =
        Row.of(
            "CPU-bound calls/s, pool of 2 workers (floor: the same pool with 1 worker)",
            Unit.CALLS_PER_SECOND,
            Measured.of(two),
            Measured.of(one),
            Target.none(String.format(Locale.ROOT, "≥ %.1f× floor", TARGET)));
    double ratio = row.ratio();
    double machine = Measured.of(bareTwo).median() / Measured.of(bareOne).median();
    return new SuiteResult(
        List.of(row),
        List.of(
            String.format(
                Locale.ROOT,
                "Pool scaling: `SynapsePool` of `useInterpreterAsIs(true)` workers, `invokeAsync(\"spin\", %d)` (a pure-Python"
                    + " loop, about 10 ms, holding the GIL) keeping 2 calls per worker in flight, %d calls per worker and"
                    + " repetition, 1 and 2 workers alternating, %d repetitions after a warm-up. 2 workers ÷ 1 worker ="
                    + " %.2f× (target ≥ %.1f×: %s). Control, the same loop in bare interpreters (`raw/spin.py`, no"
                    + " Synapse) in this run: 2 processes at once ÷ 1 process = %.2f×, the most a pool can reach on this"
                    + " machine as it was.",
                LOOPS,
                callsPerWorker,
                repetitions,
                ratio,
                TARGET,
                ratio >= TARGET ? "met" : "**missed**",
                machine)));
  }

  private static SynapsePool spawn(BenchSettings settings, int size) {
    SynapsePool.Builder builder =
        SynapsePool.builder().python(settings.python()).useInterpreterAsIs(true).size(size);
    BenchModules.workerEnvironment().forEach(builder::environment);
    SynapsePool pool = builder.build();
    try {
      pool.spawn(BenchModules.module("cpu"), "main");
      Object answer = pool.invoke("spin", 10);
      if (!Long.valueOf(285).equals(answer)) {
        throw new IllegalStateException("The cpu module answered " + answer + " to spin(10)");
      }
      return pool;
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * Runs {@code raw/spin.py} in {@code processes} bare interpreters at once, {@code calls} loops
   * each, and returns their loops per second summed (each process timing its own loops, start-up
   * excluded).
   */
  private static double bareCallsPerSecond(String python, int processes, int calls)
      throws IOException, InterruptedException {
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < processes; i++) {
      started.add(
          new ProcessBuilder(
                  python,
                  BenchModules.rawScript("spin.py").toString(),
                  Integer.toString(LOOPS),
                  Integer.toString(calls))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start());
    }
    double total = 0;
    for (Process process : started) {
      String seconds =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (process.waitFor() != 0 || seconds.isEmpty()) {
        throw new IOException(
            "raw/spin.py on " + python + " failed with exit code " + process.exitValue());
      }
      total += calls / Double.parseDouble(seconds);
    }
    return total;
  }

  /** Makes {@code calls} calls, 2 per worker in flight, and returns calls per second. */
  private static double callsPerSecond(SynapsePool pool, int calls) throws InterruptedException {
    Semaphore window = new Semaphore(2 * pool.size());
    List<CompletableFuture<Object>> made = new ArrayList<>(calls);
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      window.acquire();
      CompletableFuture<Object> call = pool.invokeAsync("spin", LOOPS);
      call.whenComplete((value, error) -> window.release());
      made.add(call);
    }
    window.acquire(2 * pool.size());
    double seconds = (System.nanoTime() - start) / 1e9;
    for (CompletableFuture<Object> call : made) {
      call.join();
    }
    return calls / seconds;
  }
}
