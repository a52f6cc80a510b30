package dev.synapse;

/**
 * The worker process ended while calls were waiting for it, or before a call could be sent. Every
 * call in flight on that worker fails with this exception at once; what happens next is up to the
 * {@link RestartPolicy}.
 */
public class WorkerExitedException extends SynapseException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final String stderrTail;

  /** A copy for one waiting caller, with {@code shared} as its cause. */
  WorkerExitedException(WorkerExitedException shared) {
    super(shared.getMessage(), shared);
    this.exitCode = shared.exitCode;
    this.stderrTail = shared.stderrTail;
  }

  /**
   * Creates the exception.
   *
   * @param message what happened
   * @param exitCode the worker's exit code (negative: killed by a signal, as {@code -signal})
   * @param stderrTail the last lines the worker wrote to stderr, possibly empty
   */
  public WorkerExitedException(String message, int exitCode, String stderrTail) {
    super(withTail(message, "the worker's stderr", stderrTail));
    this.exitCode = exitCode;
    this.stderrTail = stderrTail == null ? "" : stderrTail;
  }

  /** The worker's exit code; 128 + N or -N when it was killed by signal N, as the OS reports it. */
  public int exitCode() {
    return exitCode;
  }

  /** The last lines the worker wrote to stderr, possibly empty. */
  public String stderrTail() {
    return stderrTail;
  }

  static String withTail(String message, String source, String tail) {
    if (tail == null || tail.isBlank()) {
      return message;
    }
    return message + "\n--- last lines of " + source + " ---\n" + tail.stripTrailing();
  }
}
