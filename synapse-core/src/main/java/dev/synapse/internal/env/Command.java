package dev.synapse.internal.env;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A child process to run: its command line, the variables to add to this JVM's environment, and its
 * working directory ({@code null}: this JVM's).
 */
record Command(List<String> argv, Map<String, String> environment, Path directory) {
  Command {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
  }

  /** The command line as one string, for messages and logs. */
  String display() {
    return String.join(" ", argv);
  }
}
