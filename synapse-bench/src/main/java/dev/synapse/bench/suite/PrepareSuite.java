package dev.synapse.bench.suite;

import dev.synapse.bench.BenchSettings;
import dev.synapse.bench.fixture.BenchModules;
import dev.synapse.bench.report.Measured;
import dev.synapse.bench.report.Row;
import dev.synapse.bench.report.SuiteResult;
import dev.synapse.bench.report.Target;
import dev.synapse.bench.report.Unit;
import dev.synapse.internal.env.EnvironmentProgress;
import dev.synapse.internal.env.EnvironmentSpec;
import dev.synapse.internal.env.PythonEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code synapse prepare} on a module whose {@code requirements.txt} names one small wheel from a
 * local directory (built by {@code scripts/tiny-wheel.py}; pip offline, {@code --no-index
 * --find-links DIR}, configuration off), as a Dockerfile step runs it: the {@code synapse} launcher
 * script ({@code synapse-cli/target/synapse}), a process of its own, which runs the jar unless it
 * can answer a warm prepare itself. The jar and the launcher must be built first ({@code mvn -pl
 * synapse-cli -am package -DskipTests}).
 *
 * <p>Cold: no venv; floor: the same steps by hand, {@code python -m venv DIR} then {@code
 * DIR/bin/python -m pip install -r requirements.txt} with the same pip options. Warm: the venv is
 * up to date; floor: a bare interpreter start ({@code python -c pass}). Reference rows: the same
 * warm prepare through the jar ({@code java -jar synapse-cli.jar prepare ...}, what the launcher
 * saves), the jar printing its version (the JVM and picocli alone), and the warm prepare inside a
 * running JVM ({@link PythonEnvironment#prepare}, what a spawn does before it starts the worker).
 */
public final class PrepareSuite implements Suite {
  private static final Map<String, String> PIP_OFF = Map.of("PIP_CONFIG_FILE", "/dev/null");

  @Override
  public String id() {
    return "prepare";
  }

  @Override
  public SuiteResult run(BenchSettings settings) throws Exception {
    Path repository = BenchModules.root().getParent().getParent();
    Path jar = cliJar(repository.resolve("synapse-cli").resolve("target"));
    Path launcher = repository.resolve("synapse-cli/target/synapse");
    if (!Files.isRegularFile(launcher)) {
      throw new IllegalStateException(
          "No launcher "
              + launcher
              + ": build it first with mvn -q -pl synapse-cli -am package -DskipTests");
    }
    Path root = Files.createTempDirectory("synapse-bench-prepare-");
    try {
      String python = realExecutable(settings.python());
      Path wheels = root.resolve("wheels");
      exec(
          List.of(
              python,
              repository.resolve("scripts/tiny-wheel.py").toString(),
              wheels.toString(),
              "tinypkg",
              "1.0"));
      Path module = Files.createDirectories(root.resolve("module"));
      Files.writeString(module.resolve("main.py"), "import tinypkg, pysynapse\n");
      Files.writeString(module.resolve("requirements.txt"), "tinypkg==1.0\n");
      List<String> pip = List.of("--isolated", "--no-index", "--find-links", wheels.toString());
      List<String> arguments =
          new ArrayList<>(List.of("prepare", module.toString(), "--python", python));
      arguments.addAll(pip);
      List<String> prepare = new ArrayList<>(List.of("/bin/sh", launcher.toString()));
      prepare.addAll(arguments);
      List<String> prepareByJar =
          new ArrayList<>(List.of(javaExecutable(), "-jar", jar.toString()));
      prepareByJar.addAll(arguments);
      Path venv = module.resolve(".venv");
      Path handVenv = root.resolve("by-hand");
      List<String> handInstall =
          new ArrayList<>(
              List.of(
                  handVenv.resolve("bin/python").toString(),
                  "-m",
                  "pip",
                  "install",
                  "--disable-pip-version-check",
                  "-r",
                  module.resolve("requirements.txt").toString()));
      handInstall.addAll(pip);
      EnvironmentSpec spec =
          EnvironmentSpec.of(module).withBasePython(python).withPipArguments(pip);

      exec(prepare); // unmeasured: the first run fills pip's and the OS's caches
      requireAnsweredWithoutJvm(prepare);
      int repetitions = settings.spawnRepetitions();
      System.err.println("  prepare: 1 warm-up + " + repetitions + " repetitions of each step");
      double[] cold = new double[repetitions];
      double[] byHand = new double[repetitions];
      double[] warm = new double[repetitions];
      double[] warmByJar = new double[repetitions];
      double[] bare = new double[repetitions];
      double[] version = new double[repetitions];
      double[] inJvm = new double[repetitions];
      for (int i = 0; i < repetitions; i++) {
        deleteTree(venv);
        cold[i] = exec(prepare);
        warm[i] = exec(prepare);
        warmByJar[i] = exec(prepareByJar);
        bare[i] = exec(List.of(python, "-c", "pass"));
        version[i] = exec(List.of(javaExecutable(), "-jar", jar.toString(), "--version"));
        long start = System.nanoTime();
        PythonEnvironment.prepare(spec, EnvironmentProgress.NONE);
        inJvm[i] = (System.nanoTime() - start) / 1e6;
        deleteTree(handVenv);
        byHand[i] = exec(List.of(python, "-m", "venv", handVenv.toString())) + exec(handInstall);
      }
      Measured bareStart = Measured.of(bare);
      return new SuiteResult(
          List.of(
              Row.of(
                  "`synapse prepare`, cold (one local wheel)",
                  Unit.MILLISECONDS,
                  Measured.of(cold),
                  Measured.of(byHand),
                  Target.none("floor: `python -m venv` + `pip install` by hand")),
              Row.of(
                  "`synapse prepare`, warm (venv up to date), answered by the launcher",
                  Unit.MILLISECONDS,
                  Measured.of(warm),
                  bareStart,
                  Target.ratioAtMost(1.2)),
              Row.reference(
                  "`java -jar synapse-cli.jar prepare`, warm (what the launcher saves)",
                  Unit.MILLISECONDS,
                  Measured.of(warmByJar)),
              Row.reference(
                  "`java -jar synapse-cli.jar --version` (the JVM's start)",
                  Unit.MILLISECONDS,
                  Measured.of(version)),
              Row.of(
                  "Warm prepare inside a running JVM (what a spawn does)",
                  Unit.MILLISECONDS,
                  Measured.of(inJvm),
                  bareStart,
                  Target.ratioAtMost(1.2))),
          List.of(
              "Prepare: `sh "
                  + repository.relativize(launcher)
                  + " prepare DIR --python "
                  + python
                  + " --isolated --no-index --find-links WHEELS` with `PIP_CONFIG_FILE=/dev/null`,"
                  + " requirements `tinypkg==1.0` (one pure-Python wheel). By hand: `python -m venv"
                  + " DIR` (with its pip, as people do) + `DIR/bin/python -m pip install -r"
                  + " requirements.txt` with the same options. The launcher runs `java -jar "
                  + repository.relativize(jar)
                  + "` (the same JVM as the benchmark) for a cold prepare and answers the warm one"
                  + " itself (checked before measuring: it answers with no jar to fall back on)."
                  + " Warm floor: `python -c pass`. 1"
                  + " unmeasured prepare, then "
                  + repetitions
                  + " repetitions of each."));
    } finally {
      deleteTree(root);
    }
  }

  /** Fails unless the launcher answers the warm {@code prepare} itself, with no jar to run. */
  private static void requireAnsweredWithoutJvm(List<String> prepare)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(prepare).redirectErrorStream(true);
    builder.environment().putAll(PIP_OFF);
    builder.environment().put("SYNAPSE_CLI_JAR", "/nonexistent/synapse-cli.jar");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(
          "The launcher did not answer the warm prepare itself: " + output);
    }
  }

  private static Path cliJar(Path target) throws IOException {
    if (Files.isDirectory(target)) {
      try (Stream<Path> files = Files.list(target)) {
        List<Path> jars =
            files
                .filter(file -> file.getFileName().toString().matches("synapse-cli-.*\\.jar"))
                .toList();
        if (jars.size() == 1) {
          return jars.get(0);
        }
      }
    }
    throw new IllegalStateException(
        "No synapse-cli jar in "
            + target
            + ": build it first with mvn -q -pl synapse-cli -am package -DskipTests");
  }

  /** The file a name like {@code python3} runs (a pyenv shim costs 0.3 s per start). */
  private static String realExecutable(String python) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(python, "-c", "import sys; print(sys.executable)")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(python + " cannot tell its executable: " + output);
    }
    return output.strip();
  }

  /** Runs a command to its end and returns its duration in milliseconds; fails on non-zero exit. */
  private static double exec(List<String> argv) throws IOException, InterruptedException {
    Path log = Files.createTempFile("synapse-bench-prepare-", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(PIP_OFF);
      builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
      long start = System.nanoTime();
      Process process = builder.start();
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", argv) + " did not finish in 300 s");
      }
      double millis = (System.nanoTime() - start) / 1e6;
      if (process.exitValue() != 0) {
        throw new IOException(
            String.join(" ", argv)
                + " failed (exit "
                + process.exitValue()
                + "): "
                + Files.readString(log));
      }
      return millis;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
