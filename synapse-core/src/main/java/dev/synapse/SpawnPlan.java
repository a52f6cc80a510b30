package dev.synapse;

import dev.synapse.internal.worker.WorkerConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a spawn has once its module's paths are checked and its environment is prepared: the
 * configuration of its workers, and where to report the steps that remain. A {@link Synapse} starts
 * one worker from it, a {@link SynapsePool} several; the environment (venv, pip) is prepared once
 * either way. Made by {@link Synapse.Builder#plan}.
 */
final class SpawnPlan {
  private final WorkerConfig config;
  private final SpawnProgress progress;

  SpawnPlan(WorkerConfig config, SpawnProgress progress) {
    this.config = config;
    this.progress = progress;
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
