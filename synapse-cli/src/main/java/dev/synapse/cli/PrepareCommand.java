package dev.synapse.cli;

import dev.synapse.SpawnException;
import dev.synapse.internal.env.EnvironmentSpec;
import dev.synapse.internal.env.PythonEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code synapse prepare DIR}: creates or refreshes the module's venv with the very code a spawn
 * runs ({@link PythonEnvironment#prepare}: same stamp, same lock, so a spawn or another prepare
 * running at the same time waits for this one), then exits. For Dockerfiles and CI caches.
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
    try {
      Path python = PythonEnvironment.prepare(spec, progress);
      progress.finish();
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.println(
          (progress.phases() == 0 ? "Up to date: " : "Ready in " + millis + " ms: ") + python);
      return 0;
    } catch (SpawnException e) {
      progress.finish();
      System.err.println("synapse prepare: " + e.getMessage());
      return SynapseCommand.FAILED;
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
