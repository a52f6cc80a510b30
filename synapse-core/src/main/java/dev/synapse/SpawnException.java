package dev.synapse;

import java.util.OptionalInt;

/**
 * The worker could not be started: a missing directory or entrypoint, an interpreter that does not
 * exist, a module that died while importing, or a worker that was not ready within the start-up
 * timeout. When the worker ran and exited, {@link #exitCode()} and {@link #stderrTail()} say how.
 */
public class SpawnException extends SynapseException {
  private static final long serialVersionUID = 1L;

  private final Integer exitCode;
  private final String stderrTail;

  /** A copy for one waiting caller, with {@code shared} as its cause. */
  SpawnException(SpawnException shared) {
    super(shared.getMessage(), shared);
    this.exitCode = shared.exitCode;
    this.stderrTail = shared.stderrTail;
  }

  /** Creates an exception for a failure that happened before any worker ran. */
  public SpawnException(String message) {
    this(message, null, "", null);
  }

  /** Creates an exception with a cause, for a failure before any worker ran. */
  public SpawnException(String message, Throwable cause) {
    this(message, null, "", cause);
  }

  /**
   * Creates an exception for a worker that ran and failed.
   *
   * @param exitCode the worker's exit code, or {@code null} if it did not exit (it was killed)
   * @param stderrTail the last lines the worker wrote to stderr (or, for a failed install, pip's
   *     output), possibly empty
   */
  public SpawnException(String message, Integer exitCode, String stderrTail, Throwable cause) {
    super(WorkerExitedException.withTail(message, "its output", stderrTail), cause);
    this.exitCode = exitCode;
    this.stderrTail = stderrTail == null ? "" : stderrTail;
  }

  /** The worker's exit code, if it ran and exited. */
  public OptionalInt exitCode() {
    return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
  }

  /** The last lines the worker wrote to stderr; empty if it wrote none or never ran. */
  public String stderrTail() {
    return stderrTail;
  }
}
