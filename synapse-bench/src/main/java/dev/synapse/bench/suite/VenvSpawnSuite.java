package dev.synapse.bench.suite;

import dev.synapse.Synapse;
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
import java.util.function.Supplier;

/**
 * Cold and warm spawn of a module in its own venv: a copy of {@code echo/} with a {@code
 * requirements.txt} that lists nothing (so no package index is needed and only the venv itself is
 * timed), spawned with the default venv settings plus {@code systemSitePackages(true)}, so that the
 * worker finds the base interpreter's msgpack as the other rows' workers do. Cold: no {@code
 * DIR/.venv}; warm: the venv the cold spawn left.
 *
 * <p>Floors: warm — the venv's interpreter running {@code raw/bare_ready.py} to its first frame;
 * cold — {@code python -m venv --without-pip --system-site-packages} (the least a venv costs; it is
 * also how Synapse makes one when the base pip is new enough) plus that. One unmeasured cold spawn
 * comes first: it includes the once-per-JVM probe of the base interpreter.
 */
public final class VenvSpawnSuite implements Suite {
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
      Files.writeString(
          module.resolve("requirements.txt"),
          "# nothing to install: only the venv itself is timed\n");
      Path venv = module.resolve(".venv");
      Path scratch = root.resolve("floor-venv");
      Supplier<Synapse.Builder> inVenv =
          () -> Synapse.builder().python(settings.python()).systemSitePackages(true);

      SpawnTimer.synapseToFirstAnswer(inVenv, module);
      if (!Files.isDirectory(venv)) {
        throw new IllegalStateException(
            "Synapse.spawn made no " + venv + ": has the venv default changed?");
      }
      int repetitions = settings.spawnRepetitions();
      System.err.println(
          "  echo in a venv: 1 warm-up + " + repetitions + " repetitions (cold and warm)");
      double[] warm = new double[repetitions];
      double[] warmFloor = new double[repetitions];
      double[] cold = new double[repetitions];
      double[] coldFloor = new double[repetitions];
      for (int i = 0; i < repetitions; i++) {
        warm[i] = SpawnTimer.synapseToFirstAnswer(inVenv, module);
        warmFloor[i] =
            SpawnTimer.bareToFirstFrame(
                venv.resolve("bin").resolve("python").toString(), List.of());
        deleteTree(venv);
        cold[i] = SpawnTimer.synapseToFirstAnswer(inVenv, module);
        deleteTree(scratch);
        coldFloor[i] = bareVenv(settings.python(), scratch);
      }
      return new SuiteResult(
          List.of(
              Row.of(
                  "Warm spawn (`DIR/.venv` present) to first answer",
                  Unit.MILLISECONDS,
                  Measured.of(warm),
                  Measured.of(warmFloor),
                  Target.ratioAtMost(1.5)),
              Row.of(
                  "Cold spawn (no `DIR/.venv`) to first answer",
                  Unit.MILLISECONDS,
                  Measured.of(cold),
                  Measured.of(coldFloor),
                  Target.none(""))),
          List.of(
              "Venv spawn: a copy of `echo/` with a `requirements.txt` that lists nothing, spawned with"
                  + " `systemSitePackages(true)` (msgpack from the base interpreter). Warm floor: the venv's"
                  + " interpreter running `raw/bare_ready.py` to its frame; cold floor: `python -m venv --without-pip"
                  + " --system-site-packages` plus that. 1 unmeasured cold spawn, then "
                  + repetitions
                  + " repetitions of warm, floor, cold, floor."));
    } finally {
      deleteTree(root);
    }
  }

  /**
   * {@code python -m venv --without-pip --system-site-packages dir}, then its interpreter to its
   * first frame.
   */
  private static double bareVenv(String python, Path dir) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process venv =
        new ProcessBuilder(
                python, "-m", "venv", "--without-pip", "--system-site-packages", dir.toString())
            .inheritIO()
            .start();
    if (!venv.waitFor(60, TimeUnit.SECONDS) || venv.exitValue() != 0) {
      venv.destroyForcibly();
      throw new IOException(python + " -m venv --without-pip " + dir + " failed");
    }
    double created = (System.nanoTime() - start) / 1e6;
    return created
        + SpawnTimer.bareToFirstFrame(dir.resolve("bin").resolve("python").toString(), List.of());
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException failure)
              throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
