package dev.synapse.bench.arrow;

import dev.synapse.Synapse;
import dev.synapse.arrow.ArrowTable;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import dev.synapse.bench.suite.Suite;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A million rows of (int64, float64, utf8 of 16 bytes, timestamp) through Synapse as one Arrow
 * table, next to the same rows as a list of maps through {@code call}, and next to the floor: the
 * table's Arrow IPC stream over a raw pipe to pyarrow ({@link ArrowPipeFloor}). Two operations:
 * Java to Python ({@code table.num_rows} answered), and a round trip through a vectorised transform
 * (a new float64 column, read back into Arrow buffers on the Java side).
 *
 * <p>Timed by hand, each operation being long (tens to thousands of milliseconds): Synapse and the
 * floor alternate so that a drift of the machine hits both, after one unmeasured warm-up each. The
 * worker runs in the module's venv ({@code python/arrow/requirements.txt}: pyarrow, msgpack), made
 * on the first run with {@code bench.arrowPython} (default {@code python3}, 3.11 here: the package
 * index has cp311 wheels of pyarrow).
 */
public final class ArrowSuite implements Suite {
  static final int ROWS = 1_000_000;
  static final int STREAM_BATCH_ROWS = 10_000;
  static final int STREAM_BATCHES = 1_000;

  @Override
  public String id() {
    return "arrow";
  }

  static Synapse spawn() {
    Synapse.Builder builder =
        Synapse.builder()
            .python(System.getProperty("bench.arrowPython", "python3"))
            .pipArguments("--retries", "0")
            .installTimeout(Duration.ofMinutes(15))
            .startupTimeout(Duration.ofMinutes(2));
    BenchModules.workerEnvironment().forEach(builder::environment);
    Synapse synapse = builder.build();
    try {
      synapse.spawn(BenchModules.module("arrow"), "main");
      return synapse;
    } catch (RuntimeException e) {
      synapse.close();
      throw e;
    }
  }

  static Path venvPython() {
    return BenchModules.module("arrow").resolve(".venv/bin/python");
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    int repetitions = settings.quick() ? 3 : 7;
    int mapRepetitions = settings.quick() ? 1 : 3;
    double[] arrowIn = new double[repetitions];
    double[] floorIn = new double[repetitions];
    double[] arrowBoth = new double[repetitions];
    double[] floorBoth = new double[repetitions];
    double[] mapsIn = new double[mapRepetitions];
    double[] mapsBoth = new double[mapRepetitions];
    StreamedBatches.Result streamed;
    try (Synapse synapse = spawn();
        BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot batch = BenchTable.batch(allocator, 0, ROWS);
        ArrowPipeFloor countFloor = ArrowPipeFloor.start(venvPython(), "count");
        ArrowPipeFloor transformFloor = ArrowPipeFloor.start(venvPython(), "transform")) {
      int warmups = settings.quick() ? 1 : 3; // the JIT compiles both sides' copy loops
      System.err.printf(
          "  arrow: %d warm-ups + %d repetitions of 4 operations%n", warmups, repetitions);
      for (int i = -warmups; i < repetitions; i++) {
        double a = time(() -> check(synapse.invoke("num_rows", batch)));
        double f = time(() -> check(countFloor.count(batch)));
        double ab = time(() -> check(roundTrip(synapse, batch, allocator)));
        double fb = time(() -> check(transformFloor.transform(batch, allocator)));
        if (i >= 0) {
          arrowIn[i] = a;
          floorIn[i] = f;
          arrowBoth[i] = ab;
          floorBoth[i] = fb;
        }
      }
      try (VectorSchemaRoot small = BenchTable.batch(allocator, 0, STREAM_BATCH_ROWS)) {
        StreamedBatches.run(synapse, small, STREAM_BATCHES / 10, allocator); // warm-up
        streamed = StreamedBatches.run(synapse, small, STREAM_BATCHES, allocator);
      }
      List<Map<String, Object>> maps = BenchTable.maps(ROWS);
      System.err.printf(
          "  list of maps: 1 warm-up + %d repetitions of 2 operations%n", mapRepetitions);
      for (int i = -1; i < mapRepetitions; i++) {
        double m = time(() -> check(synapse.invoke("map_count", maps)));
        double mb = time(() -> check(((List<?>) synapse.invoke("map_transform", maps)).size()));
        if (i >= 0) {
          mapsIn[i] = m;
          mapsBoth[i] = mb;
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    String shape = "1M rows × (int64, float64, utf8 16 B, timestamp)";
    rows.add(
        Row.of(
            "Arrow table Java → Python, "
                + shape
                + ", `num_rows` (floor: IPC stream over a raw pipe)",
            Unit.ROWS_PER_SECOND,
            rate(arrowIn),
            rate(floorIn),
            Target.ratioAtLeast(0.7)));
    rows.add(
        Row.of(
            "Arrow table Java → Python, "
                + shape
                + " (floor column: the same rows as a list of maps)",
            Unit.ROWS_PER_SECOND,
            rate(arrowIn),
            rate(mapsIn),
            Target.ratioAtLeast(20)));
    rows.add(
        Row.of(
            "Arrow round trip, " + shape + ", y = x * 2 + 1 added in pyarrow (floor: raw pipe)",
            Unit.ROWS_PER_SECOND,
            rate(arrowBoth),
            rate(floorBoth),
            Target.ratioAtLeast(0.7)));
    rows.add(
        Row.of(
            "Arrow round trip, " + shape + " (floor column: list of maps, y added per row)",
            Unit.ROWS_PER_SECOND,
            rate(arrowBoth),
            rate(mapsBoth),
            Target.ratioAtLeast(20)));
    double streamRate = (double) STREAM_BATCHES * STREAM_BATCH_ROWS / streamed.seconds();
    rows.add(
        Row.of(
            "Arrow stream in, stream out: 10M rows in 1,000 batches of 10,000, y added per batch"
                + " (floor column: the one-shot round trip of 1M rows above)",
            Unit.ROWS_PER_SECOND,
            Measured.of(streamRate),
            rate(arrowBoth),
            Target.ratioAtLeast(0.7)));
    return new SuiteResult(
        rows,
        List.of(
            "Arrow stream: `stream(Request.streamInput(\"batches_transform\", batches))`, the"
                + " handler a generator over its input iterator yielding each pyarrow table with"
                + " `y`; each answer read with `ArrowTable.read` and closed; one run of 1,000"
                + " batches after a warm-up of 100. Memory every 100 batches taken back: Java heap"
                + " used (MiB) "
                + streamed.heapMiB()
                + "; worker RSS (MiB) "
                + streamed.workerRssMiB()
                + ".",
            "Arrow: one `VectorSchemaRoot` of 1,000,000 rows (id int64, x float64, s utf8 of 16"
                + " bytes, t timestamp[us, UTC]) as the input of `invoke`; Java → Python answers"
                + " `table.num_rows`, the round trip answers the table with `y = x * 2 + 1`"
                + " (pyarrow.compute), read back with `ArrowTable.read` into a `RootAllocator` and"
                + " closed. List of maps: the same rows as `List<Map<String, Object>>` (Long, Double,"
                + " String, Instant) through the same worker (`len(rows)`; each dict given `y`, the"
                + " list answered). Floor: Arrow Java's `ArrowStreamWriter` to a kept byte array, 4-byte"
                + " length, written to the pipe in 1 MiB pieces, `raw/arrow_pipe.py` reading it with"
                + " `pa.ipc.open_stream` (answering the count, or the transformed table's IPC"
                + " stream, read in 1 MiB pieces into a kept array and with `ArrowStreamReader`"
                + " into the same `RootAllocator`). Worker and floor on the venv's Python "
                + "(pyarrow, msgpack C codec); 3 unmeasured warm-ups (quick: 1; maps: 1), "
                + repetitions
                + " (maps: "
                + mapRepetitions
                + ") repetitions, alternating; rows/s = 1,000,000 / the operation's time."));
  }

  private static long roundTrip(
      Synapse synapse, VectorSchemaRoot batch, BufferAllocator allocator) {
    try (ArrowTable table = ArrowTable.read(synapse.invoke("add_column", batch), allocator)) {
      return table.rowCount();
    }
  }

  private static Measured rate(double[] seconds) {
    double[] rates = new double[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      rates[i] = ROWS / seconds[i];
    }
    return Measured.of(rates);
  }

  private static void check(Object rows) {
    if (!(rows instanceof Number n) || n.longValue() != ROWS) {
      throw new IllegalStateException("Expected " + ROWS + " rows, got " + rows);
    }
  }

  interface Operation {
    void run() throws IOException;
  }

  /** Seconds that {@code operation} took. */
  static double time(Operation operation) throws IOException {
    long start = System.nanoTime();
    operation.run();
    return (System.nanoTime() - start) / 1e9;
  }
}
