package dev.synapse;

/**
 * Receives what a worker says besides its answers: its log lines and its lifecycle. Every method
 * has an empty default, so implement only what you need.
 *
 * <p>Threads: {@link #onLog} runs on the worker's stderr thread, in the order the lines were
 * written; keep it quick, since a slow listener slows the worker once the pipe fills. {@link
 * #onSpawnPhase} and {@link #onInstallOutput} run on the thread that called {@code spawn}. The
 * lifecycle methods run on the instance's callback executor. No method ever runs on the thread that
 * reads answers. An exception thrown by a listener is logged and otherwise ignored.
 */
public interface SynapseListener {
  /** A line the worker wrote to stderr (also logged to SLF4J logger {@code synapse.<module>}). */
  default void onLog(LogLine line) {}

  /**
   * A spawn finished a step.
   *
   * @param phase the step that ended
   * @param elapsedMillis how long the step took
   */
  default void onSpawnPhase(String module, SpawnPhase phase, long elapsedMillis) {}

  /** A line of pip's output while it installs the module's requirements, as it happens. */
  default void onInstallOutput(String module, String line) {}

  /** A worker process started and reported ready. */
  default void onWorkerStarted(String module, long pid) {}

  /**
   * A worker process ended.
   *
   * @param expected true when the instance ended it ({@code dispose}, or a replacement that Synapse
   *     decided on); false when it died on its own
   */
  default void onWorkerExited(String module, long pid, int exitCode, boolean expected) {}

  /**
   * A new worker is about to replace a dead one.
   *
   * @param reason why the old worker is gone
   * @param attempt the number of this restart within the current run of restarts, from 1
   */
  default void onWorkerRestarting(String module, String reason, int attempt) {}
}
