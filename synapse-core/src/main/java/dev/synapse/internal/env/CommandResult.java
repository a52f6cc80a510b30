package dev.synapse.internal.env;

/**
 * How a child process ended.
 *
 * @param exitCode its exit code, or {@code null} when it was killed for running past its deadline
 * @param tail its last lines of output, oldest first, joined with line breaks
 */
record CommandResult(Integer exitCode, String tail) {
  boolean timedOut() {
    return exitCode == null;
  }

  boolean succeeded() {
    return exitCode != null && exitCode == 0;
  }
}
