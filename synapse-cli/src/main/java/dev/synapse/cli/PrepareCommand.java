package dev.synapse.cli;

import dev.synapse.SpawnException;
import dev.synapse.SpawnPhase;
import dev.synapse.internal.env.EnvironmentProgress;
import dev.synapse.internal.env.EnvironmentSpec;
import dev.synapse.internal.env.PreparedInputs;
import dev.synapse.internal.env.PythonEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code synapse prepare DIR}: creates or refreshes the module's venv with the very code a spawn
 * runs ({@link PythonEnvironment#prepare}: same stamp, same lock, so a spawn or another prepare
 * running at the same time waits for this one), then exits. For Dockerfiles and CI caches.
 *
 * <p>A prepare that succeeds leaves a {@link PrepareRecord} in the venv, with which the {@code
 * synapse} launcher script answers the next prepare with the same arguments, while nothing changed,
 * without starting a JVM.
 */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    description = {
      "Create or refresh DIR's venv exactly as a spawn would, then exit.",
      "Options this command does not know are passed to pip install, e.g.:",
      "  synapse prepare my_module --no-index --find-links /wheels"
    })
final class PrepareCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR", description = "The module's directory.")
  Path directory;

  @Parameters(index = "1..*", paramLabel = "PIP_OPTION", arity = "0..*", hidden = true)
  List<String> pipPositional = new ArrayList<>();

  @Unmatched List<String> pipUnmatched = new ArrayList<>();

  @Mixin EnvironmentOptions environment;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    if (!Files.isDirectory(directory)) {
      System.err.println("The module directory does not exist: " + directory.toAbsolutePath());
      return SynapseCommand.FAILED;
    }
    List<String> pip = new ArrayList<>(pipUnmatched);
    pip.addAll(pipPositional);
    EnvironmentSpec spec = environment.spec(directory, pip);
    ConsoleProgress progress =
        new ConsoleProgress(
            System.out, ConsoleProgress.onTerminal(), requirementLines(spec.requirementsFile()));
    long start = System.nanoTime();
    Path venvDir = spec.resolvedVenvDir();
    PrepareRecord.forget(venvDir);
    try {
      Path python = PythonEnvironment.prepare(spec, progress);
      progress.finish();
      long millis = (System.nanoTime() - start) / 1_000_000;
      String upToDate = "Up to date: " + python;
      if (recordable()) {
        record(spec, venvDir, upToDate);
      }
      System.out.println(
          progress.phases() == 0 ? upToDate : "Ready in " + millis + " ms: " + python);
      return 0;
    } catch (SpawnException e) {
      progress.finish();
      System.err.println("synapse prepare: " + e.getMessage());
      return SynapseCommand.FAILED;
    }
  }

  /**
   * Whether the launcher could check a record of this prepare: a venv at its default place, plain
   * output, and the command line {@code prepare DIR ...} with the module directory right after the
   * command, where the launcher looks for it.
   */
  private boolean recordable() {
    List<String> arguments = arguments();
    return !environment.asIs
        && environment.venv == null
        && !environment.verbose
        && arguments.size() >= 2
        && arguments.get(0).equals("prepare")
        && !arguments.get(1).startsWith("-")
        && Path.of(arguments.get(1))
            .toAbsolutePath()
            .normalize()
            .equals(directory.toAbsolutePath().normalize());
  }

  private List<String> arguments() {
    return command.root().commandLine().getParseResult().originalArgs();
  }

  /**
   * Writes the record of the venv just prepared. The venv is prepared once more between two
   * descriptions of it: only if that found it current and nothing changed meanwhile does the record
   * describe a venv that is current for these settings (another process may rebuild it for others
   * at any moment). A venv that cannot be recorded only costs the next prepare a JVM.
   */
  private void record(EnvironmentSpec spec, Path venvDir, String upToDate) {
    List<String> arguments = arguments();
    try {
      PreparedInputs inputs = PreparedInputs.of(spec);
      List<String> after = arguments.subList(2, arguments.size());
      Optional<Map<String, String>> before =
          PrepareRecord.describe(venvDir, inputs, environment.python, after, upToDate);
      if (before.isEmpty()) {
        return;
      }
      boolean[] changed = {false};
      PythonEnvironment.prepare(
          spec,
          new EnvironmentProgress() {
            @Override
            public void phase(SpawnPhase phase, long elapsedMillis) {
              changed[0] = true;
            }

            @Override
            public void notice(String message) {
              changed[0] = true;
            }
          });
      if (!changed[0]
          && before.equals(
              PrepareRecord.describe(venvDir, inputs, environment.python, after, upToDate))) {
        PrepareRecord.write(venvDir, before.get());
      }
    } catch (IOException | RuntimeException e) {
      PrepareRecord.forget(venvDir);
    }
  }

  /** The lines of the requirements file that name a package: the length of the progress bar. */
  static int requirementLines(Path requirements) {
    try {
      return (int)
          Files.readAllLines(requirements, StandardCharsets.UTF_8).stream()
              .map(String::strip)
              .filter(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("-"))
              .count();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
