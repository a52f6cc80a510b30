package dev.synapse.bench.suite;

import dev.synapse.NDArray;
import dev.synapse.Synapse;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.fixture.RawEchoProcess;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Large values through a worker's shared memory: {@code byte[]} and float64 {@code NDArray} of 1,
 * 16, 64 and 256 MiB each way, and arrays both ways (Python doubles them), next to the raw pipe
 * harness moving the same bytes and to this machine's memory-copy bandwidth (Java's {@code
 * System.arraycopy} and numpy's {@code copyto}, between pre-touched buffers), all in the same run.
 *
 * <p>Timed by hand ({@code System.nanoTime()} around each call, median over the repetitions after
 * unmeasured warm-ups), not under JMH: a 256 MiB transfer takes long enough for the clock, and the
 * suite must keep both processes and the region alive across sizes to measure the warm path.
 */
public final class SharedMemorySuite implements Suite {
  private static final int MIB = 1 << 20;
  private static final int[] SIZES_MIB = {1, 16, 64, 256};

  @Override
  public String id() {
    return "shared-memory";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    double javaCopy = javaCopyMegabytesPerSecond(settings);
    Map<Integer, double[]> floors = new java.util.HashMap<>();
    try (RawEchoProcess raw = RawEchoProcess.start()) {
      for (int mib : SIZES_MIB) {
        floors.put(mib, rawFloors(raw, mib, repetitions(settings, mib)));
      }
    }
    try (Synapse synapse =
        Synapse.builder()
            .python(settings.python())
            .useInterpreterAsIs(true)
            .environment(BenchModules.workerEnvironment())
            .maxFrameBytes(512 * MIB)
            .sharedMemoryMaxBytes(2L << 30)
            .build()) {
      synapse.spawn(BenchModules.module("shared_memory"), "main");
      double numpyCopy =
          64
              * MIB
              / 1e6
              / ((Number) synapse.invoke("copy_seconds", Map.of("n", 64 * MIB, "repetitions", 20)))
                  .doubleValue();
      rows.add(
          Row.reference(
              "Memory copy of 64 MiB, Java System.arraycopy (pre-touched)",
              Unit.MEGABYTES_PER_SECOND,
              Measured.of(javaCopy)));
      rows.add(
          Row.reference(
              "Memory copy of 64 MiB, numpy copyto (pre-touched)",
              Unit.MEGABYTES_PER_SECOND,
              Measured.of(numpyCopy)));
      for (int mib : SIZES_MIB) {
        int n = mib * MIB;
        int reps = repetitions(settings, mib);
        double[] floor = floors.get(mib);
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) 1);
        NDArray array = NDArray.of(new double[n / 8], n / 8);
        Target target = mib == 64 ? Target.ratioAtLeast(5) : Target.none("");
        rows.add(
            row(
                "Shared memory: byte[] Java→Python, " + mib + " MiB",
                n,
                time(reps, () -> synapse.invoke("size", bytes)),
                floor[0],
                target));
        rows.add(
            row(
                "Shared memory: bytes Python→Java, " + mib + " MiB",
                n,
                time(reps, () -> synapse.invoke("blob", n)),
                floor[1],
                target));
        rows.add(
            row(
                "Shared memory: float64 NDArray Java→Python, " + mib + " MiB",
                n,
                time(reps, () -> synapse.invoke("nbytes", array)),
                floor[0],
                target));
        rows.add(
            row(
                "Shared memory: float64 ndarray Python→Java, " + mib + " MiB",
                n,
                time(reps, () -> synapse.invoke("array", n / 8)),
                floor[1],
                target));
        rows.add(
            row(
                "Shared memory: float64 NDArray round trip (doubled), " + mib + " MiB each way",
                2L * n,
                time(reps, () -> synapse.invoke("double", array)),
                floor[0] + floor[1],
                Target.none("")));
        if (mib == 64) {
          notes.add(shareOfCopy(rows, javaCopy, numpyCopy));
        }
      }
    }
    notes.add(
        "Shared memory: one worker with the default threshold (1 MiB) and a 2 GiB region, each"
            + " size warmed up unmeasured first, then "
            + repetitions(settings, 64)
            + " (64 MiB) timed calls, median MB/s of the value's bytes (a round trip counts both"
            + " ways). Floor: the raw pipe harness (`raw_echo.py`) sinking (Java→Python) or"
            + " sending (Python→Java) the same number of bytes into reused buffers; round trip:"
            + " the sum of both floors' times. Memory-copy rows: median of 20 copies of 64 MiB"
            + " between pre-touched buffers.");
    return new SuiteResult(rows, notes);
  }

  private static int repetitions(BenchSettings settings, int mib) {
    int reps = mib >= 256 ? 4 : mib >= 64 ? 8 : 16;
    return settings.quick() ? Math.max(2, reps / 4) : reps;
  }

  /** Median seconds of a raw sink and a raw fetch of {@code mib} MiB. */
  private static double[] rawFloors(RawEchoProcess raw, int mib, int reps) throws Exception {
    int n = mib * MIB;
    byte[] body = RawEchoProcess.sinkBody(n);
    double[] sink = new double[reps];
    double[] fetch = new double[reps];
    for (int i = -1; i < reps; i++) {
      long start = System.nanoTime();
      raw.sink(body);
      long middle = System.nanoTime();
      raw.fetch(n);
      long end = System.nanoTime();
      if (i >= 0) {
        sink[i] = (middle - start) / 1e9;
        fetch[i] = (end - middle) / 1e9;
      }
    }
    return new double[] {Measured.of(sink).median(), Measured.of(fetch).median()};
  }

  private interface Call {
    Object run() throws Exception;
  }

  /** Seconds of each of {@code reps} calls, after one unmeasured warm-up. */
  private static double[] time(int reps, Call call) throws Exception {
    call.run();
    double[] seconds = new double[reps];
    for (int i = 0; i < reps; i++) {
      long start = System.nanoTime();
      call.run();
      seconds[i] = (System.nanoTime() - start) / 1e9;
    }
    return seconds;
  }

  private static Row row(
      String figure, long bytes, double[] seconds, double floorSeconds, Target t) {
    double[] rates = Arrays.stream(seconds).map(s -> bytes / 1e6 / s).toArray();
    return Row.of(
        figure,
        Unit.MEGABYTES_PER_SECOND,
        Measured.of(rates),
        Measured.of(bytes / 1e6 / floorSeconds),
        t);
  }

  private static double javaCopyMegabytesPerSecond(BenchSettings settings) {
    byte[] source = new byte[64 * MIB];
    byte[] target = new byte[64 * MIB];
    Arrays.fill(source, (byte) 1);
    System.arraycopy(source, 0, target, 0, source.length);
    double[] rates = new double[20];
    for (int i = 0; i < rates.length; i++) {
      long start = System.nanoTime();
      System.arraycopy(source, 0, target, 0, source.length);
      rates[i] = source.length / 1e6 / ((System.nanoTime() - start) / 1e9);
    }
    return Measured.of(rates).median();
  }

  /** The 64 MiB one-way rows as shares of the memory-copy bandwidth. */
  private static String shareOfCopy(List<Row> rows, double javaCopy, double numpyCopy) {
    StringBuilder note =
        new StringBuilder("Shared memory, 64 MiB one way as a share of memory-copy bandwidth:");
    double copy = Math.min(javaCopy, numpyCopy);
    for (Row row : rows.subList(rows.size() - 5, rows.size() - 1)) {
      note.append(
          String.format(
              Locale.ROOT,
              " %s %.0f%%;",
              row.figure().replace("Shared memory: ", "").replace(", 64 MiB", ""),
              100 * row.synapse().median() / copy));
    }
    note.append(" (target ≥ 40%; the lower of the two copy rows is the bandwidth.)");
    return note.toString();
  }
}
