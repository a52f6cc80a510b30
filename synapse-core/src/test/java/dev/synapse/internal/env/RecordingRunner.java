package dev.synapse.internal.env;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Runs commands for real and remembers each command line, so a test can tell whether pip ran. */
final class RecordingRunner implements CommandRunner {
  private final CommandRunner real = new ProcessRunner();
  private final List<List<String>> commands = new CopyOnWriteArrayList<>();

  @Override
  public CommandResult run(Command command, Deadline deadline, Consumer<String> output) {
    commands.add(command.argv());
    return real.run(command, deadline, output);
  }

  /** The commands that ran pip. */
  List<List<String>> pipRuns() {
    return commands.stream().filter(argv -> argv.contains("pip")).toList();
  }

  /** The commands that created a venv. */
  List<List<String>> venvRuns() {
    return commands.stream().filter(argv -> argv.contains("venv")).toList();
  }
}
