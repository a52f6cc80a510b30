package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cold and warm spawn of a module that has a {@code requirements.txt} (without requirement lines, so
 * no package index is needed): cold with no {@code DIR/.venv}, warm with the venv that the cold
 * spawn left. Spawn creates that venv only once synapse-core has its venv feature; until then the
 * rows say so and nothing is timed. That is found out, not assumed: the first cold spawn is made
 * and the directory looked at.
 *
 * <p>Floors: warm — the venv's interpreter running {@code raw/bare_ready.py} to its first frame;
 * cold — {@code python -m venv --without-pip} (the least a venv costs) plus that.
 */
public final class VenvSpawnSuite implements Suite {
  private static final String WARM = "Warm spawn (`DIR/.venv` present) to first answer";
  private static final String COLD = "Cold spawn (no `DIR/.venv`) to first answer";

  @Override
  public String id() {
    return "venv-spawn";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    Path root = Files.createTempDirectory("synapse-bench-venv-");
    try {
      Path module = root.resolve("echo");
      Files.createDirectories(module);
      Files.copy(BenchModules.module("echo").resolve("main.py"), module.resolve("main.py"));
      Files.writeString(module.resolve("requirements.txt"), "# no requirements: only the venv itself is timed\n");
      Path venv = module.resolve(".venv");

      double firstCold = SpawnTimer.synapseToFirstAnswer(settings.python(), module);
      if (!Files.isDirectory(venv)) {
        String reason =
            "not measured: `Synapse.spawn` made no `DIR/.venv` (the venv feature is not in synapse-core yet);"
                + " this suite measures it once it is";
        return new SuiteResult(
            List.of(Row.pending(WARM, Unit.MILLISECONDS, Target.ratioAtMost(1.5), reason), Row.pending(COLD, Unit.MILLISECONDS, Target.none(""), reason)),
            List.of());
      }
      int repetitions = settings.spawnRepetitions();
      double[] warm = new double[repetitions];
      double[] warmFloor = new double[repetitions];
      double[] cold = new double[repetitions];
      double[] coldFloor = new double[repetitions];
      Path venvPython = venv.resolve("bin").resolve("python");
      Path scratch = root.resolve("floor-venv");
      for (int i = 0; i < repetitions; i++) {
        warm[i] = SpawnTimer.synapseToFirstAnswer(settings.python(), module);
        warmFloor[i] = SpawnTimer.bareToFirstFrame(venvPython.toString(), List.of());
        deleteTree(venv);
        cold[i] = SpawnTimer.synapseToFirstAnswer(settings.python(), module);
        deleteTree(scratch);
        coldFloor[i] = bareVenv(settings.python(), scratch);
      }
      return new SuiteResult(
          List.of(
              Row.of(WARM, Unit.MILLISECONDS, Measured.of(warm), Measured.of(warmFloor), Target.ratioAtMost(1.5)),
              Row.of(COLD, Unit.MILLISECONDS, Measured.of(cold), Measured.of(coldFloor), Target.none(""))),
          List.of(
              "Venv spawn: a copy of `echo/` with a `requirements.txt` without requirement lines. Warm floor: the"
                  + " venv's interpreter running `raw/bare_ready.py` to its frame; cold floor: `python -m venv"
                  + " --without-pip` plus that. " + repetitions + " repetitions, after one unmeasured cold spawn."));
    } finally {
      deleteTree(root);
    }
  }

  /** {@code python -m venv --without-pip dir}, then the new venv's interpreter to its first frame. */
  private static double bareVenv(String python, Path dir) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process venv = new ProcessBuilder(python, "-m", "venv", "--without-pip", dir.toString()).inheritIO().start();
    if (!venv.waitFor(60, TimeUnit.SECONDS) || venv.exitValue() != 0) {
      venv.destroyForcibly();
      throw new IOException(python + " -m venv --without-pip " + dir + " failed");
    }
    double created = (System.nanoTime() - start) / 1e6;
    return created + SpawnTimer.bareToFirstFrame(dir.resolve("bin").resolve("python").toString(), List.of());
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
