package dev.synapse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code synapse} command: prepares a module's environment as a spawn would, checks what a
 * spawn would use, and calls a module once. Exit status 0 on success, 1 when the work failed (a
 * spawn, a pip install, a Python error, a problem found by {@code doctor}), 2 for a usage error.
 */
@Command(
    name = "synapse",
    mixinStandardHelpOptions = true,
    versionProvider = SynapseCommand.Version.class,
    description = "Prepare, check and call Python modules the way Synapse spawns them.",
    subcommands = {PrepareCommand.class, DoctorCommand.class, CallCommand.class})
public final class SynapseCommand implements Runnable {
  /** The work failed; the output says why. */
  static final int FAILED = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status. */
  static int run(String... args) {
    Logging.configure(args);
    return new CommandLine(new SynapseCommand()).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SynapseCommand.class.getPackage().getImplementationVersion();
      return new String[] {"synapse " + (version == null ? "(development build)" : version)};
    }
  }
}
