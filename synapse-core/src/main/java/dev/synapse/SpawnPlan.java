package dev.synapse;

import dev.synapse.internal.env.PythonEnvironment;
import dev.synapse.internal.launch.Entrypoint;
import dev.synapse.internal.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a spawn has once its module's paths are checked and its environment is prepared: the
 * configuration of its workers, and where to report the steps that remain. A {@link Synapse} starts
 * one worker from it, a {@link SynapsePool} several; the environment (venv, pip) is prepared once
 * either way. This is the step of a spawn that does work (checks files, creates a venv, runs pip);
 * the builders only hold settings.
 */
final class SpawnPlan {
  private final WorkerConfig config;
  private final SpawnProgress progress;

  SpawnPlan(WorkerConfig config, SpawnProgress progress) {
    this.config = config;
    this.progress = progress;
  }

  /**
   * Checks that the module's directory and entrypoint exist, prepares its environment once
   * (reporting the steps to the listener on this thread), and describes its workers.
   *
   * @param directory absolute and normalized
   * @throws SpawnException naming the path that is missing, or when the environment fails
   * @throws IllegalArgumentException if the entrypoint does not resolve inside the directory
   */
  static SpawnPlan prepare(
      WorkerSettings<?> settings, RestartPolicy policy, Path directory, String entrypoint) {
    if (!Files.isDirectory(directory)) {
      throw new SpawnException("The module directory does not exist: " + directory);
    }
    Entrypoint resolved = Entrypoint.resolve(directory, entrypoint);
    SpawnProgress progress = new SpawnProgress(resolved.module(), settings.listenerSetting());
    Path interpreter = PythonEnvironment.prepare(settings.environmentSpec(directory), progress);
    return new SpawnPlan(
        settings.workerConfig(resolved.script(), resolved.module(), interpreter.toString(), policy),
        progress);
  }

  private static String moduleName(String entrypoint) {
    return entrypoint.endsWith(".py")
        ? entrypoint.substring(0, entrypoint.length() - 3)
        : entrypoint;
  }

  /** The file a spawn of {@code entrypoint} in {@code directory} runs. */
  static Path script(Path directory, String entrypoint) {
    return directory.toAbsolutePath().normalize().resolve(moduleName(entrypoint) + ".py");
  }

  /**
   * Checks that a {@code spawn} while a worker of {@code running} runs asks for the same module,
   * which makes it a no-op.
   *
   * @throws IllegalStateException naming both modules if it asks for another one
   */
  static void checkSameModule(Path running, Path directory, String entrypoint) {
    Path asked = script(directory, entrypoint);
    if (!asked.equals(running)) {
      throw new IllegalStateException(
          "A worker of "
              + running
              + " is running; spawn("
              + asked
              + ") would start another module: dispose() first");
    }
  }

  /**
   * Checks the arguments of a {@code spawn}, for {@link Synapse} and {@link SynapsePool} alike.
   *
   * @throws IllegalArgumentException if {@code entrypoint} is empty
   */
  static void checkArguments(Path directory, String entrypoint) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(entrypoint, "entrypoint");
    if (entrypoint.isBlank()) {
      throw new IllegalArgumentException("entrypoint cannot be empty");
    }
  }

  /** The workers' configuration, with the interpreter the environment resolved to. */
  WorkerConfig config() {
    return config;
  }

  /**
   * Reports {@link SpawnPhase#STARTING} (since {@code launchedNanos}, when the first worker was
   * launched) and {@link SpawnPhase#READY} (the whole spawn) on this thread.
   */
  void started(long launchedNanos) {
    long now = System.nanoTime();
    progress.phase(SpawnPhase.STARTING, (now - launchedNanos) / 1_000_000);
    progress.phase(SpawnPhase.READY, (now - progress.startNanos()) / 1_000_000);
  }
}
