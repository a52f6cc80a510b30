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
 * At 1 MiB, the default threshold, a second worker with shared memory off moves the same values
 * through Synapse's own pipe path, which is what the threshold chooses between.
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
    double javaCopy = javaCopyMegabytesPerSecond();
    try (RawEchoProcess raw = RawEchoProcess.start();
        Synapse synapse = builder(settings).sharedMemoryMaxBytes(2L << 30).build();
        Synapse pipeOnly = builder(settings).sharedMemory(false).build()) {
      synapse.spawn(BenchModules.module("shared_memory"), "main");
      pipeOnly.spawn(BenchModules.module("shared_memory"), "main");
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
      List<?> workerCopy =
          (List<?>) synapse.invoke("split_copy_seconds", Map.of("n", 64 * MIB, "repetitions", 20));
      rows.add(
          Row.of(
              "Worker's copy of 64 MiB out of shared memory into bytes, in two halves at once"
                  + " (floor: one copy)",
              Unit.MEGABYTES_PER_SECOND,
              Measured.of(64 * MIB / 1e6 / ((Number) workerCopy.get(1)).doubleValue()),
              Measured.of(64 * MIB / 1e6 / ((Number) workerCopy.get(0)).doubleValue()),
              Target.none("")));
      for (int mib : SIZES_MIB) {
        int n = mib * MIB;
        byte[] bytes = new byte[n];
        Arrays.fill(bytes, (byte) 1);
        NDArray array = NDArray.of(new double[n / 8], n / 8);
        byte[] sinkBody = RawEchoProcess.sinkBody(n);
        List<Call> operations =
            new ArrayList<>(
                List.of(
                    () -> raw.sink(sinkBody),
                    () -> raw.fetch(n),
                    () -> synapse.invoke("size", bytes),
                    () -> synapse.invoke("blob", n),
                    () -> synapse.invoke("nbytes", array),
                    () -> synapse.invoke("array", n / 8),
                    () -> synapse.invoke("double", array)));
        if (mib == 1) {
          operations.addAll(
              List.of(
                  () -> pipeOnly.invoke("size", bytes),
                  () -> pipeOnly.invoke("blob", n),
                  () -> pipeOnly.invoke("nbytes", array),
                  () -> pipeOnly.invoke("array", n / 8)));
        }
        // Measured in turns, so that a change in the machine's load hits Synapse and floor alike.
        double[][] seconds = inTurns(repetitions(settings, mib), operations.toArray(new Call[0]));
        double sink = Measured.of(seconds[0]).median();
        double fetch = Measured.of(seconds[1]).median();
        Target target = mib == 64 ? Target.ratioAtLeast(5) : Target.none("");
        String size = ", " + mib + " MiB";
        rows.add(row("Shared memory: byte[] Java→Python" + size, n, seconds[2], sink, target));
        rows.add(row("Shared memory: bytes Python→Java" + size, n, seconds[3], fetch, target));
        rows.add(
            row("Shared memory: float64 NDArray Java→Python" + size, n, seconds[4], sink, target));
        rows.add(
            row("Shared memory: float64 ndarray Python→Java" + size, n, seconds[5], fetch, target));
        rows.add(
            row(
                "Shared memory: float64 NDArray round trip (doubled)" + size + " each way",
                2L * n,
                seconds[6],
                sink + fetch,
                Target.none("")));
        if (mib == 64) {
          notes.add(shareOfCopy(rows, javaCopy, numpyCopy));
          notes.add(againstTheirCopies(rows, javaCopy, numpyCopy));
        }
        if (mib == 1) {
          notes.add(againstThePipePath(seconds, n));
        }
      }
    }
    notes.add(
        "Shared memory: one worker with the default threshold (1 MiB) and a 2 GiB region; per size,"
            + " one unmeasured round of every operation, then "
            + repetitions(settings, 64)
            + " rounds at 64 MiB ("
            + repetitions(settings, 1)
            + " at 1 MiB, "
            + repetitions(settings, 256)
            + " at 256 MiB), each round timing the floor's and Synapse's operations in turn; median"
            + " MB/s of the value's bytes (a round trip counts both ways). Floor: the raw pipe harness"
            + " (`raw_echo.py`) sinking (Java→Python) or sending (Python→Java) the same number of"
            + " bytes into reused buffers; round trip: the sum of both floors' median times."
            + " Memory-copy rows: median of 20 copies of 64 MiB between pre-touched buffers.");
    return new SuiteResult(rows, notes);
  }

  private static Synapse.Builder builder(BenchSettings settings) {
    return Synapse.builder()
        .python(settings.python())
        .useInterpreterAsIs(true)
        .environment(BenchModules.workerEnvironment())
        .maxFrameBytes(512 * MIB);
  }

  /** Seconds of each operation in each of {@code rounds} rounds, after one unmeasured round. */
  static double[][] inTurns(int rounds, Call... operations) throws Exception {
    double[][] seconds = new double[operations.length][rounds];
    for (int round = -1; round < rounds; round++) {
      for (int i = 0; i < operations.length; i++) {
        long start = System.nanoTime();
        operations[i].run();
        if (round >= 0) {
          seconds[i][round] = (System.nanoTime() - start) / 1e9;
        }
      }
    }
    return seconds;
  }

  private static int repetitions(BenchSettings settings, int mib) {
    int reps = mib >= 256 ? 3 : mib >= 64 ? 8 : mib >= 16 ? 16 : 64;
    return settings.quick() ? Math.max(2, reps / 4) : reps;
  }

  /** One timed operation. */
  interface Call {
    Object run() throws Exception;
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

  private static double javaCopyMegabytesPerSecond() {
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

  /**
   * Synapse's shared-memory median time ÷ its pipe-path median time at 1 MiB, per one-way operation
   * (below 1: the region is faster): operations 2–5 against 7–10 of the same rounds.
   */
  private static String againstThePipePath(double[][] seconds, int n) {
    String[] names = {
      "byte[] Java→Python", "bytes Python→Java", "NDArray Java→Python", "ndarray Python→Java"
    };
    StringBuilder note =
        new StringBuilder(
            "At 1 MiB, the time through shared memory ÷ the time through Synapse's own pipe (a"
                + " second worker with `sharedMemory(false)`, timed in the same rounds), medians:");
    for (int i = 0; i < names.length; i++) {
      double pipe = Measured.of(seconds[i + 7]).median();
      note.append(
          String.format(
              Locale.ROOT,
              " %s %.2f× (pipe path %,.0f MB/s);",
              names[i],
              Measured.of(seconds[i + 2]).median() / pipe,
              n / 1e6 / pipe));
    }
    note.append(" below 1× the region is faster.");
    return note.toString();
  }

  /**
   * A byte[] from Java to Python is copied twice, into the region by the JVM and out of it by the
   * worker, and the second copy starts once the first is done; an NDArray is copied once, by the
   * JVM (the worker views it where it lies). The note sets the 64 MiB rows against those copies at
   * the copy rows' bandwidths (one thread each): whatever the pipe's speed, only copies split
   * across threads take a transfer above 100%.
   */
  private static String againstTheirCopies(List<Row> rows, double javaCopy, double numpyCopy) {
    double twoCopies = 1 / (1 / javaCopy + 1 / numpyCopy);
    List<Row> oneWay = oneWayRows(rows);
    return String.format(
        Locale.ROOT,
        "Java→Python, 64 MiB, as a share of the copies it makes one after the other, at the copy"
            + " rows' bandwidths: byte[] %.0f%% of two (%.0f MB/s: the JVM's copy into the region,"
            + " then the worker's out of it), float64 NDArray %.0f%% of one (%.0f MB/s: the JVM's;"
            + " the worker views the array in the region).",
        100 * oneWay.get(0).synapse().median() / twoCopies,
        twoCopies,
        100 * oneWay.get(2).synapse().median() / javaCopy,
        javaCopy);
  }

  /** The four one-way rows of the size just measured: Java→Python and back, bytes then arrays. */
  private static List<Row> oneWayRows(List<Row> rows) {
    return rows.subList(rows.size() - 5, rows.size() - 1);
  }

  /** The 64 MiB one-way rows as shares of the memory-copy bandwidth. */
  private static String shareOfCopy(List<Row> rows, double javaCopy, double numpyCopy) {
    StringBuilder note =
        new StringBuilder("Shared memory, 64 MiB one way as a share of memory-copy bandwidth:");
    double copy = Math.min(javaCopy, numpyCopy);
    for (Row row : oneWayRows(rows)) {
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
