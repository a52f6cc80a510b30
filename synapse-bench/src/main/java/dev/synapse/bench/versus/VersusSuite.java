package dev.synapse.bench.versus;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.RawEchoProcess;
import dev.synapse.bench.fixture.RawTransports;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import dev.synapse.bench.suite.Suite;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * This tree against an older build of Synapse, in one run: the round-trip, concurrency and spawn
 * figures of both, measured in alternation (the order flips every round) so that a drift of the
 * machine hits both alike. Each side is a {@link VersusChild} JVM on its own classpath, both
 * calling the same echo module on the same interpreter, started anew for every round; the raw pipe
 * floor is measured in every round too.
 *
 * <p>Runs only when asked for ({@code -Dbench.suites=versus}) with {@code -Dbench.baseline=CP}, the
 * older build's classpath (its synapse-core jar and that jar's dependencies), which {@code
 * synapse-bench/scripts/baseline-classpath.sh REF} builds from a git commit. A row's Synapse column
 * is this tree, its floor column the baseline, so its ratio reads "this tree ÷ baseline"; the notes
 * give the median of the per-round ratios, which is steadier. With {@code -Dbench.candidate=CP} a
 * second built classpath takes this tree's place, so that any two builds can be compared (for
 * instance one build's Java with another's pysynapse).
 */
public final class VersusSuite implements Suite {
  /** The system property that holds the baseline's classpath. */
  public static final String BASELINE = "bench.baseline";

  /** The system property that may hold a classpath measured in place of this tree. */
  public static final String CANDIDATE = "bench.candidate";

  /** The system property that may name the CPUs both sides run on, as {@code taskset -c} reads. */
  public static final String CPUS = "bench.versusCpus";

  private static final int[] THREADS = {1, 4, 16};
  private static final int SPAWNS = 5;
  private static final byte[] BODY = RawEchoProcess.echoBody(17);

  @Override
  public String id() {
    return "versus";
  }

  @Override
  public boolean runsByDefault() {
    return false;
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    String baseline = System.getProperty(BASELINE, "");
    if (baseline.isBlank()) {
      throw new IllegalStateException(
          "-D"
              + BASELINE
              + " is not set: give the older build's classpath, e.g. from"
              + " synapse-bench/scripts/baseline-classpath.sh");
    }
    int rounds = settings.quick() ? 3 : 10;
    int calls = settings.quick() ? 3_000 : 10_000;
    long millis = settings.quick() ? 400 : 1_000;
    String baselinePath = childPath(baseline);
    Side current = new Side(rounds);
    Side older = new Side(rounds);
    double[] floorP50 = new double[rounds];
    double[] floorP99 = new double[rounds];
    System.err.printf(
        "  this tree and the baseline: %d rounds (new JVMs each) of %d round trips and %s threads%n",
        rounds, calls, Arrays.toString(THREADS));
    String candidate = System.getProperty(CANDIDATE, "");
    String cpus = System.getProperty(CPUS, "");
    String currentPath =
        candidate.isBlank() ? System.getProperty("java.class.path") : childPath(candidate);
    try (RawTransports.Echo raw = RawTransports.direct(RawEchoProcess.start())) {
      rawRoundTrips(raw, calls); // warms the floor's loop up
      for (int round = 0; round < rounds; round++) {
        double[] floor = rawRoundTrips(raw, calls);
        floorP50[round] = floor[0];
        floorP99[round] = floor[1];
        boolean nowFirst = round % 2 == 0;
        // New processes every round: how a JVM and its worker land on the cores lasts as long as
        // they do, and moved one side's round trip by a third in runs that kept them.
        try (VersusProcess first =
                VersusProcess.start(
                    nowFirst ? currentPath : baselinePath, settings.python(), cpus);
            VersusProcess second =
                VersusProcess.start(
                    nowFirst ? baselinePath : currentPath, settings.python(), cpus)) {
          Side firstSide = nowFirst ? current : older;
          Side secondSide = nowFirst ? older : current;
          first.roundTrips(2 * calls); // the JIT's warm-up
          second.roundTrips(2 * calls);
          firstSide.roundTrips(round, first.roundTrips(calls));
          secondSide.roundTrips(round, second.roundTrips(calls));
          for (int t = 0; t < THREADS.length; t++) {
            firstSide.callsPerSecond(round, t, first.callsPerSecond(THREADS[t], millis));
            secondSide.callsPerSecond(round, t, second.callsPerSecond(THREADS[t], millis));
          }
          firstSide.spawnMillis[round] = first.spawnMillis(SPAWNS);
          secondSide.spawnMillis[round] = second.spawnMillis(SPAWNS);
        }
      }
    }
    return result(current, older, floorP50, floorP99, rounds, calls, baseline, candidate, cpus);
  }

  private static SuiteResult result(
      Side current,
      Side older,
      double[] floorP50,
      double[] floorP99,
      int rounds,
      int calls,
      String baseline,
      String candidate,
      String cpus) {
    List<Row> rows = new ArrayList<>();
    rows.add(
        Row.reference(
            "Reference, no Synapse: raw 17-byte round trip p50 (versus run)",
            Unit.MICROSECONDS,
            Measured.of(floorP50)));
    rows.add(
        Row.reference(
            "Reference, no Synapse: raw 17-byte round trip p99 (versus run)",
            Unit.MICROSECONDS,
            Measured.of(floorP99)));
    rows.add(
        versus(
            "Round trip p50, this tree (floor column: the baseline)",
            Unit.MICROSECONDS,
            current.p50,
            older.p50));
    rows.add(
        versus(
            "Round trip p99, this tree (floor column: the baseline)",
            Unit.MICROSECONDS,
            current.p99,
            older.p99));
    for (int t = 0; t < THREADS.length; t++) {
      rows.add(
          versus(
              "Calls/s on one worker, "
                  + threads(THREADS[t])
                  + ", this tree (floor column: the baseline)",
              Unit.CALLS_PER_SECOND,
              current.callsPerSecond[t],
              older.callsPerSecond[t]));
    }
    rows.add(
        versus(
            "Spawn to first answer, echo module, this tree (floor column: the baseline)",
            Unit.MILLISECONDS,
            current.spawnMillis,
            older.spawnMillis));
    StringBuilder ratios = new StringBuilder();
    ratios.append(perRound("round trip p50", current.p50, older.p50));
    ratios.append(perRound("; p99", current.p99, older.p99));
    for (int t = 0; t < THREADS.length; t++) {
      ratios.append(
          perRound(
              "; calls/s with " + threads(THREADS[t]),
              current.callsPerSecond[t],
              older.callsPerSecond[t]));
    }
    ratios.append(perRound("; spawn to first answer", current.spawnMillis, older.spawnMillis));
    return new SuiteResult(
        rows,
        List.of(
            "Versus: this tree and a baseline build, each in a JVM of its own (-Xms1g -Xmx1g)"
                + " calling `echo/main.py` with `{\"foo\":\"bar\"}`, measured in alternation over "
                + rounds
                + " rounds, with new JVMs and workers in each (the order flips every round): "
                + 2 * calls
                + " calls to warm up, "
                + calls
                + " timed sequential calls, then N threads calling for a second each, then the median"
                + " of "
                + SPAWNS
                + " spawns to the first answer (a new instance each time). The"
                + " baseline's synapse-core: `"
                + baseline.split(File.pathSeparator)[0]
                + (candidate.isBlank()
                    ? "`."
                    : "`; measured in this tree's place: `"
                        + candidate.split(File.pathSeparator)[0]
                        + "`.")
                + (cpus.isBlank()
                    ? ""
                    : " Both sides' JVMs and workers ran on CPUs " + cpus + " only (taskset -c)."),
            "Versus, median (min–max) over the rounds of this tree ÷ the baseline in the same round: "
                + ratios
                + String.format(
                    ". Each side's round trip p50 ÷ the raw floor of its round: this tree %.2f×,"
                        + " the baseline %.2f×.",
                    Measured.of(divide(current.p50, floorP50)).median(),
                    Measured.of(divide(older.p50, floorP50)).median())));
  }

  private static String threads(int count) {
    return count == 1 ? "1 Java thread" : count + " Java threads";
  }

  private static Row versus(String figure, Unit unit, double[] current, double[] older) {
    return Row.of(figure, unit, Measured.of(current), Measured.of(older), Target.none(""));
  }

  private static String perRound(String label, double[] current, double[] older) {
    Measured ratio = Measured.of(divide(current, older));
    return String.format("%s %.3f× (%.2f–%.2f)", label, ratio.median(), ratio.min(), ratio.max());
  }

  private static double[] divide(double[] numerators, double[] denominators) {
    double[] ratios = new double[numerators.length];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = numerators[i] / denominators[i];
    }
    return ratios;
  }

  /** The raw floor's p50 and p99 over {@code calls} round trips, in microseconds. */
  private static double[] rawRoundTrips(RawTransports.Echo raw, int calls) throws IOException {
    long[] nanos = RawTransports.timedEchoes(raw, BODY, calls);
    return new double[] {nanos[calls / 2] / 1e3, nanos[(int) (calls * 0.99)] / 1e3};
  }

  /** A child's classpath: the versus classes, the build {@code built}, and this run's logging. */
  private static String childPath(String built) throws URISyntaxException {
    return ownClasses() + File.pathSeparator + built + sameLogging();
  }

  /**
   * Where this module's classes are: the baseline child needs VersusChild, not this tree's core.
   */
  private static String ownClasses() throws URISyntaxException {
    return Path.of(VersusChild.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .toString();
  }

  /** The SLF4J binding this run logs with, so that both sides log alike. */
  private static String sameLogging() {
    StringBuilder binding = new StringBuilder();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (Path.of(entry).getFileName().toString().startsWith("slf4j-simple")) {
        binding.append(File.pathSeparator).append(entry);
      }
    }
    return binding.toString();
  }

  /** One side's figures, by round. */
  private static final class Side {
    final double[] p50;
    final double[] p99;
    final double[][] callsPerSecond;
    final double[] spawnMillis;

    Side(int rounds) {
      spawnMillis = new double[rounds];
      p50 = new double[rounds];
      p99 = new double[rounds];
      callsPerSecond = new double[THREADS.length][rounds];
    }

    void roundTrips(int round, double[] p50p99) {
      p50[round] = p50p99[0];
      p99[round] = p50p99[1];
    }

    void callsPerSecond(int round, int threads, double value) {
      callsPerSecond[threads][round] = value;
    }
  }
}
