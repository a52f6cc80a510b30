package dev.synapse.cli;

import dev.synapse.SpawnException;
import dev.synapse.internal.env.EnvironmentSpec;
import dev.synapse.internal.env.EnvironmentStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code synapse doctor [DIR]}: what a spawn with these settings would use and whether it would
 * work, checked without changing anything. One line per check; each problem comes with its fix.
 * Exits with 0 only when no check found a problem that would fail the spawn (a venv that a spawn
 * would create or refresh is not such a problem: it is reported with how long-lived its fix is).
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = "Check what a spawn of DIR would use, and whether it would work.")
final class DoctorCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description = "The module's directory; without it, only the interpreter and the machine.")
  Path directory;

  @Option(
      names = "--entry",
      paramLabel = "NAME",
      defaultValue = "main",
      description = "The entrypoint to look for, DIR/NAME.py (default: ${DEFAULT-VALUE}).")
  String entry;

  @Mixin EnvironmentOptions environment;

  @Override
  public Integer call() {
    Report report = new Report(System.out);
    Path moduleDir = directory == null ? Path.of("") : directory;
    EnvironmentSpec spec = environment.spec(moduleDir, List.of());
    if (directory != null) {
      checkModule(report);
    }
    EnvironmentStatus status = null;
    try {
      status =
          EnvironmentStatus.inspect(directory == null ? spec.withUseInterpreterAsIs(true) : spec);
    } catch (SpawnException e) {
      report.problem(
          e.getMessage().lines().findFirst().orElse(""),
          "fix what the message names; --python P or SYNAPSE_PYTHON choose the interpreter");
    }
    if (status != null) {
      report.ok("interpreter " + status.interpreter() + " (" + status.baseVersion() + ")");
      report.ok(
          "pip "
              + (status.pipVersion().isEmpty()
                  ? "not importable by the base interpreter"
                  : status.pipVersion()));
      if (directory != null) {
        venv(report, status);
      }
      MachineChecks.pipIndex(report, status);
      MachineChecks.codec(report, status);
    }
    MachineChecks.sharedMemory(report);
    MachineChecks.disk(
        report, directory == null ? Path.of(System.getProperty("java.io.tmpdir")) : directory);
    return report.summary();
  }

  private void checkModule(Report report) {
    if (!Files.isDirectory(directory)) {
      report.problem(
          "module directory " + directory.toAbsolutePath() + " does not exist",
          "pass the directory that holds " + entry + ".py");
      return;
    }
    Path script = directory.toAbsolutePath().normalize().resolve(entry + ".py");
    if (Files.isRegularFile(script)) {
      report.ok("entrypoint " + script);
    } else {
      report.problem("entrypoint " + script + " does not exist", "create it or pass --entry NAME");
    }
  }

  private static void venv(Report report, EnvironmentStatus status) {
    switch (status.state()) {
      case AS_IS -> report.ok("no venv: the worker runs on the interpreter as it is");
      case UP_TO_DATE ->
          report.ok("venv " + status.venvDir() + " is up to date (its stamp matches)");
      case ADOPTABLE ->
          report.note(
              "venv " + status.venvDir() + ": " + status.detail(),
              "run `synapse prepare` now so that the spawn does not install");
      case MISSING ->
          report.note(
              "venv "
                  + status.venvDir()
                  + " does not exist: a spawn creates it and installs the"
                  + " requirements",
              "run `synapse prepare` at build time (Dockerfile, CI cache) with the same settings");
      case STALE ->
          report.note(
              "venv " + status.venvDir() + " is stale: " + status.detail(),
              "run `synapse prepare` with the same settings; a spawn would re-create it");
    }
  }
}
