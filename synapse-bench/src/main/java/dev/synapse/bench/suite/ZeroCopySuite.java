package dev.synapse.bench.suite;

import dev.synapse.DType;
import dev.synapse.NDArray;
import dev.synapse.SharedArray;
import dev.synapse.Synapse;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.ArrayList;
import java.util.List;

/**
 * The explicit zero-copy path: a float64 {@code SharedArray} of 1 KiB and of 64 MiB passed to a
 * handler that writes one element of it (Java reads it back), and a {@code pysynapse.shared} array
 * of each size answered to Java as a view and closed. The 1 KiB call is the floor of the 64 MiB
 * one: the path is meant to cost the same whatever the size. The copying path's 64 MiB call is
 * measured in the same turns, as a reference.
 *
 * <p>Timed by hand in turns ({@code System.nanoTime()} around each call, after unmeasured rounds),
 * like {@link SharedMemorySuite}, since the arrays and the region must stay alive across the calls.
 */
public final class ZeroCopySuite implements Suite {
  private static final int KIB = 1 << 10;
  private static final int MIB = 1 << 20;

  @Override
  public String id() {
    return "zero-copy";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    List<Row> rows = new ArrayList<>();
    int rounds = settings.quick() ? 40 : 200;
    try (Synapse synapse =
        Synapse.builder()
            .python(settings.python())
            .useInterpreterAsIs(true)
            .environment(BenchModules.workerEnvironment())
            .maxFrameBytes(512 * MIB)
            .sharedMemoryMaxBytes(2L << 30)
            .build()) {
      synapse.spawn(BenchModules.module("shared_memory"), "main");
      try (SharedArray small = synapse.sharedMemory().allocate(DType.FLOAT64, KIB / 8);
          SharedArray large = synapse.sharedMemory().allocate(DType.FLOAT64, 64 * MIB / 8)) {
        if (!small.isShared() || !large.isShared()) {
          throw new IllegalStateException("The worker has no shared memory to allocate in");
        }
        NDArray copied = NDArray.of(new double[64 * MIB / 8]);
        double[][] seconds =
            SharedMemorySuite.inTurns(
                rounds,
                () -> lend(synapse, small),
                () -> lend(synapse, large),
                () -> receive(synapse, KIB / 8),
                () -> receive(synapse, 64 * MIB / 8),
                () -> synapse.invoke("nbytes", copied));
        rows.add(
            row(
                "Zero-copy: float64 SharedArray to Python and back (handler writes), 64 MiB vs"
                    + " 1 KiB",
                seconds[1],
                seconds[0]));
        rows.add(
            row(
                "Zero-copy: pysynapse.shared array Python→Java (view, closed), 64 MiB vs 1 KiB",
                seconds[3],
                seconds[2]));
        rows.add(reference("Zero-copy: SharedArray to Python and back, 1 KiB", seconds[0]));
        rows.add(reference("Zero-copy: SharedArray to Python and back, 64 MiB", seconds[1]));
        rows.add(reference("Zero-copy: pysynapse.shared array to Java, 1 KiB", seconds[2]));
        rows.add(reference("Zero-copy: pysynapse.shared array to Java, 64 MiB", seconds[3]));
        rows.add(
            reference(
                "Copying path for contrast: float64 NDArray of 64 MiB to Python (shared memory,"
                    + " the JVM's one copy)",
                seconds[4]));
      }
    }
    List<String> notes =
        List.of(
            "Zero-copy: one worker, a 2 GiB region; "
                + rounds
                + " measured rounds after one unmeasured, each timing every operation in turn;"
                + " median µs per call. \"To Python and back\": invoke(\"touch\", array), the"
                + " handler adding 1 to element 0 of its view, then Java reading element 0."
                + " \"Python→Java\": invoke(\"shared_array\", n) answering pysynapse.shared.empty(n),"
                + " which arrives as an NDArray view that is closed (RELEASE) before the next call."
                + " The ratio is the 64 MiB call's median over the 1 KiB call's (target ≤ 2×).");
    return new SuiteResult(rows, notes);
  }

  private static Object lend(Synapse synapse, SharedArray array) {
    synapse.invoke("touch", array);
    return array.buffer().getDouble(0);
  }

  private static Object receive(Synapse synapse, int n) {
    try (NDArray view = (NDArray) synapse.invoke("shared_array", n)) {
      if (!view.isShared()) {
        throw new IllegalStateException("The answer was copied, not a view");
      }
      return view.size();
    }
  }

  private static double[] micros(double[] seconds) {
    double[] out = new double[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      out[i] = seconds[i] * 1e6;
    }
    return out;
  }

  private static Row row(String figure, double[] seconds, double[] floorSeconds) {
    return Row.of(
        figure,
        Unit.MICROSECONDS,
        Measured.of(micros(seconds)),
        Measured.of(micros(floorSeconds)),
        Target.ratioAtMost(2));
  }

  private static Row reference(String figure, double[] seconds) {
    return Row.reference(figure, Unit.MICROSECONDS, Measured.of(micros(seconds)));
  }
}
