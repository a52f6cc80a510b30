package dev.synapse.internal.supervision;

import dev.synapse.SpawnException;
import dev.synapse.WorkerExitedException;

/** The wording shared by a single instance and a pool when a worker is gone. */
public final class Failures {
  private Failures() {}

  /** The first line of {@code text}; empty for null. */
  public static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }

  /**
   * Why a call cannot be made because no worker runs: {@code what} (e.g. "The worker is not
   * running"), the first line of the last failure, and {@code hint}. A worker that exited is
   * reported as a {@link WorkerExitedException} with its exit code and stderr, anything else as a
   * {@link SpawnException}.
   */
  public static RuntimeException notRunning(String what, RuntimeException cause, String hint) {
    String message = what + ": " + (cause == null ? "" : firstLine(cause.getMessage())) + hint;
    if (cause instanceof WorkerExitedException exited) {
      return new WorkerExitedException(message, exited.exitCode(), exited.stderrTail());
    }
    return new SpawnException(message, cause);
  }
}
