package dev.synapse.internal.env;

import java.util.function.Consumer;

/**
 * Runs the child processes of a preparation (the interpreter probe, {@code venv}, pip). It is an
 * interface so that tests can record which commands ran, e.g. to prove that an up-to-date venv runs
 * no pip at all.
 */
interface CommandRunner {
  /**
   * Runs {@code command} to its end, handing each line of its merged stdout and stderr to {@code
   * output} on the calling thread as soon as it is read. A process still running at {@code
   * deadline} is killed with its descendants, and the result says it timed out.
   *
   * @throws dev.synapse.SpawnException if the process cannot be started, or the calling thread is
   *     interrupted (the process is killed and the interrupt flag stays set)
   */
  CommandResult run(Command command, Deadline deadline, Consumer<String> output);
}
