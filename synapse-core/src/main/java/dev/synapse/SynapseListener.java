package dev.synapse;

/**
 * Receives what a worker says besides its answers: its log lines and its lifecycle. Every method
 * has an empty default, so implement only what you need.
 *
 * <p>Threads: {@link #onLog} runs on the worker's stderr thread, in the order the lines were
 * written; keep it quick, since a slow listener slows the worker once the pipe fills. {@link
 * #onSpawnPhase} and {@link #onInstallOutput} run on the thread that called {@code spawn}. The
 * lifecycle methods run on the instance's callback executor. The call events ({@link
 * #onCallStarted}, {@link #onCallCompleted}, {@link #onQueueWait}), made for metrics, run on the
 * thread where the event happened, which may be the caller's or the one that reads answers: they
 * must be quick (count, record a time), must not block and must not call the instance. No other
 * method ever runs on the thread that reads answers. An exception thrown by a listener is logged
 * and otherwise ignored.
 *
 * <p>The module optional {@code synapse-micrometer} turns these events into Micrometer meters.
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

  /**
   * A worker started and reported ready, for every worker, replacements included. Runs on the
   * thread that started the worker (the caller of {@code spawn}, or a thread of Synapse's for a
   * replacement) before the worker takes any call, so keep it quick.
   *
   * @param info what the worker reported about itself (pid, the functions it serves, ...)
   * @param startupNanos from the launch of its process to its READY frame (the spawn of a pool's
   *     first workers and of a {@link Synapse} also reports its steps to {@link #onSpawnPhase})
   */
  default void onWorkerReady(String module, WorkerInfo info, long startupNanos) {}

  /**
   * A worker that died (crashed, was killed, or was ended by Synapse because it was stuck or wrote
   * garbage) is being replaced, as its restart policy allows; once per worker, however many
   * attempts its replacement takes ({@link #onWorkerRestarting} reports each). Not called for
   * recycling, see {@link #onWorkerRecycled}.
   *
   * @param pid the process id of the worker that died
   * @param reason why it is gone
   */
  default void onWorkerReplaced(String module, long pid, String reason) {}

  /**
   * A pool recycled a worker: it reached {@code recycleAfterCalls} or {@code
   * recycleAboveResidentMemory}, finished its calls, and is shut down; a new worker takes its
   * place.
   *
   * @param pid the process id of the recycled worker
   * @param reason why it was recycled
   */
  default void onWorkerRecycled(String module, long pid, String reason) {}

  /**
   * A call was made (on a pool, before it waits in the queue). Every call made gets exactly one
   * {@link #onCallCompleted} later. A stream is a call here too, from being opened until it is over
   * (its end, its error, or the consumer closing it early: {@link CallOutcome#CANCELLED}).
   *
   * @param function the function's name as the caller gave it, {@code null} for the single handler;
   *     it may name no function of the module (the call then fails)
   */
  default void onCallStarted(String module, String function) {}

  /**
   * A call ended: answered, failed, timed out or cancelled (a stream: ended, failed, timed out, or
   * closed before its end).
   *
   * @param function as for {@link #onCallStarted}
   * @param durationNanos from the call being made to its end, queue and retries included
   * @param outcome how it ended
   */
  default void onCallCompleted(
      String module, String function, long durationNanos, CallOutcome outcome) {}

  /**
   * A pool hands a call to a worker, after {@code waitNanos} in its queue (0 when a worker had room
   * at once). A call sent again after its worker died reports its wait again.
   */
  default void onQueueWait(String module, String function, long waitNanos) {}
}
