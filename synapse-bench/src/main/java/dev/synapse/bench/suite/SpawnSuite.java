package dev.synapse.bench.suite;

import dev.synapse.Synapse;
import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Spawn to first answer on the configured interpreter as it is ({@code useInterpreterAsIs}: no
 * venv), against a bare interpreter that imports what the module imports and writes one frame.
 *
 * <p>Not a JMH benchmark: each measurement starts a process and is over after one operation, so it
 * is timed by hand, Synapse and floor alternating so that a drift of the machine hits both, after
 * unmeasured warm-ups that fill the page cache and load the JVM side's classes.
 */
public final class SpawnSuite implements Suite {
  private record Case(String figure, String module, List<String> imports) {}

  private static final List<Case> CASES =
      List.of(
          new Case("Spawn to first answer (plain interpreter, echo module)", "echo", List.of()),
          new Case(
              "Spawn to first answer (plain interpreter, module imports numpy)",
              "echo_numpy",
              List.of("numpy")));

  @Override
  public String id() {
    return "spawn";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    List<Row> rows = new ArrayList<>();
    List<String> phases = new ArrayList<>();
    int warmups = settings.quick() ? 1 : 2;
    Supplier<Synapse.Builder> asIs =
        () -> Synapse.builder().python(settings.python()).useInterpreterAsIs(true);
    for (Case c : CASES) {
      Path dir = BenchModules.module(c.module());
      System.err.printf(
          "  %s: %d warm-ups + %d repetitions%n", c.module(), warmups, settings.spawnRepetitions());
      double[] synapse = new double[settings.spawnRepetitions()];
      double[] bare = new double[settings.spawnRepetitions()];
      double[] starting = new double[settings.spawnRepetitions()];
      double[] firstCall = new double[settings.spawnRepetitions()];
      double[] rest = new double[settings.spawnRepetitions()];
      for (int i = -warmups; i < settings.spawnRepetitions(); i++) {
        SpawnTimer.Phases s = SpawnTimer.synapsePhases(asIs, dir);
        double b = SpawnTimer.bareToFirstFrame(settings.python(), c.imports());
        if (i >= 0) {
          synapse[i] = s.total();
          bare[i] = b;
          starting[i] = s.starting();
          firstCall[i] = s.firstCall();
          rest[i] = s.rest();
        }
      }
      phases.add(
          String.format(
              "%s: median %.1f ms from the process being asked for to its READY frame (whole ms),"
                  + " %.1f ms for the first call after spawn returned, %.1f ms for the rest (settings,"
                  + " paths, the process's set-up)",
              c.module(),
              Measured.of(starting).median(),
              Measured.of(firstCall).median(),
              Measured.of(rest).median()));
      if (Files.exists(dir.resolve(".venv"))) {
        throw new IllegalStateException(
            dir + "/.venv appeared: these rows are meant to measure the plain interpreter");
      }
      rows.add(
          Row.of(
              c.figure(),
              Unit.MILLISECONDS,
              Measured.of(synapse),
              Measured.of(bare),
              Target.ratioAtMost(1.5)));
    }
    return new SuiteResult(
        rows,
        List.of(
            "Spawn: from `Synapse.builder().python(...).useInterpreterAsIs(true).build()` to the answer of the"
                + " first `call` (the worker's exit not counted); floor: from `ProcessBuilder.start()` of"
                + " `raw/bare_ready.py` (imports the same modules as the worker's module, writes one frame) to"
                + " that frame read. Alternating, "
                + warmups
                + " unmeasured warm-ups, "
                + settings.spawnRepetitions()
                + " repetitions. Where Synapse's time went: "
                + String.join("; ", phases)
                + "."));
  }
}
