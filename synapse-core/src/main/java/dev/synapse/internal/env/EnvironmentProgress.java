package dev.synapse.internal.env;

import dev.synapse.SpawnPhase;

/**
 * What {@link PythonEnvironment#prepare} tells its caller while it works, so that a spawn that
 * takes minutes to install its requirements is visibly busy rather than hung.
 *
 * <p>Both methods run on the thread that called {@code prepare}, in order, and should return
 * quickly: pip's output waits while they run. An exception thrown by either is logged and ignored.
 */
public interface EnvironmentProgress {
  /** Reports nothing. */
  EnvironmentProgress NONE = new EnvironmentProgress() {};

  /**
   * A step ended successfully: {@link SpawnPhase#CREATING_VENV} or {@link SpawnPhase#INSTALLING}. A
   * step that is skipped (the venv is up to date) is not reported; a step that fails ends the
   * preparation with a {@link dev.synapse.SpawnException} instead.
   *
   * @param elapsedMillis how long the step took
   */
  default void phase(SpawnPhase phase, long elapsedMillis) {}

  /**
   * A decision the preparation made and why, one line that is also logged: the venv is created,
   * re-created (and why), or adopted, or the requirements set pip options of their own. Called
   * before the step it announces.
   */
  default void notice(String message) {}

  /**
   * A line pip wrote to stdout or stderr (merged, without its line break), as soon as it is read.
   */
  default void installOutput(String line) {}
}
