package dev.synapse.bench;

import dev.synapse.bench.arrow.ArrowSuite;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Environment;
import dev.synapse.bench.report.MachineLoad;
import dev.synapse.bench.report.Report;
import dev.synapse.bench.report.ResultsFile;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.suite.AllocationSuite;
import dev.synapse.bench.suite.ArraySuite;
import dev.synapse.bench.suite.CallbackSuite;
import dev.synapse.bench.suite.ConcurrencySuite;
import dev.synapse.bench.suite.PayloadSuite;
import dev.synapse.bench.suite.PoolScalingSuite;
import dev.synapse.bench.suite.PrepareSuite;
import dev.synapse.bench.suite.RoundTripSuite;
import dev.synapse.bench.suite.SharedMemorySuite;
import dev.synapse.bench.suite.SpawnSuite;
import dev.synapse.bench.suite.Suite;
import dev.synapse.bench.suite.TransportSuite;
import dev.synapse.bench.suite.VenvSpawnSuite;
import dev.synapse.bench.suite.ZeroCopySuite;
import dev.synapse.bench.versus.VersusSuite;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs every suite, prints the one results table (with the environment) to stdout, and writes it to
 * {@code bench/results/}. Progress goes to stderr. A suite that fails is reported and the others
 * still run; the exit code is then 1. Settings: see {@link BenchSettings}.
 */
public final class BenchMain {
  /** The suites, in the order of the table's rows. A new figure is a new suite here. */
  private static final List<Suite> SUITES =
      List.of(
          new RoundTripSuite(),
          new CallbackSuite(),
          new TransportSuite(),
          new ConcurrencySuite(),
          new PayloadSuite(),
          new ArraySuite(),
          new SharedMemorySuite(),
          new ZeroCopySuite(),
          new SpawnSuite(),
          new VenvSpawnSuite(),
          new AllocationSuite(),
          new PoolScalingSuite(),
          new PrepareSuite(),
          new ArrowSuite(),
          new VersusSuite());

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    BenchSettings settings = BenchSettings.fromSystemProperties();
    MachineLoad load = MachineLoad.start();
    ZonedDateTime started = ZonedDateTime.now();
    long start = System.nanoTime();
    List<Row> rows = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<Suite> suites = SUITES.stream().filter(settings::runs).toList();
    for (int i = 0; i < suites.size(); i++) {
      Suite suite = suites.get(i);
      System.err.printf("[%d/%d] %s%n", i + 1, suites.size(), suite.id());
      try {
        SuiteResult result = suite.run(settings);
        rows.addAll(result.rows());
        notes.addAll(result.notes());
      } catch (Exception e) {
        System.err.println("Suite " + suite.id() + " failed:");
        e.printStackTrace();
        failures.add("Suite `" + suite.id() + "` failed: " + e);
      }
    }
    notes.addAll(failures);
    Path repository = BenchModules.root().getParent().getParent();
    Report report =
        new Report(
            "Synapse benchmark: " + settings.label(),
            started,
            Duration.ofNanos(System.nanoTime() - start),
            settings.quick(),
            Environment.describe(settings, repository, load),
            rows,
            notes);
    String markdown = report.markdown();
    System.out.println(markdown);
    Path file =
        ResultsFile.write(
            settings.results(),
            started.toLocalDate(),
            settings.label(),
            settings.quick(),
            markdown);
    System.err.println("Written to " + file);
    if (!failures.isEmpty()) {
      System.exit(1);
    }
  }
}
