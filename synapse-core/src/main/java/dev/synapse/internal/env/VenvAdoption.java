package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides whether a venv that Synapse did not make (made by hand, by another tool or by the
 * original library, so it has no stamp file) can be kept as the module's venv. Wiping it would
 * throw away what its owner installed; keeping a broken one would fail every spawn. It is kept when
 * it is healthy: its interpreter runs and is the base interpreter's version, it sees system
 * site-packages exactly when the settings ask for it, and pip can list its packages.
 */
final class VenvAdoption {
  private VenvAdoption() {}

  /**
   * The verdict on one venv.
   *
   * @param problem why it cannot be kept, or null if it can
   * @param hasPip whether it has a pip of its own
   * @param packages how many packages pip listed, for the log
   */
  record Verdict(String problem, boolean hasPip, int packages) {
    boolean healthy() {
      return problem == null;
    }
  }

  static Verdict examine(
      Path venvDir,
      BaseInterpreter base,
      boolean systemSitePackages,
      boolean needsVenvPip,
      CommandRunner runner,
      Deadline deadline) {
    Path python = VenvDirectory.python(venvDir);
    if (!VenvDirectory.hasPython(venvDir)) {
      return broken("its interpreter " + python + " is missing or not executable");
    }
    BaseInterpreter own;
    try {
      own = BaseInterpreter.probe(python, runner);
    } catch (SpawnException e) {
      return broken(
          "its interpreter does not run: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (!own.version().equals(base.version())) {
      return broken(
          "it runs "
              + own.version()
              + " and the base interpreter "
              + base.executable()
              + " is "
              + base.version());
    }
    Boolean seesSystem = systemSitePackages(venvDir);
    if (seesSystem != null && seesSystem != systemSitePackages) {
      return broken(
          "it was made "
              + (seesSystem ? "with" : "without")
              + " system site-packages and the settings ask "
              + (systemSitePackages ? "for them" : "for none"));
    }
    boolean hasPip = !own.pipVersion().isEmpty();
    if (needsVenvPip && !hasPip) {
      return broken(
          "it has no pip, and the base interpreter's pip cannot install into another interpreter");
    }
    List<String> argv = new ArrayList<>();
    if (base.pipSupportsPythonOption()) {
      argv.addAll(
          List.of(base.executable().toString(), "-m", "pip", "--python", python.toString()));
    } else if (hasPip) {
      argv.addAll(List.of(python.toString(), "-m", "pip"));
    } else {
      return new Verdict(null, false, -1); // No pip anywhere and nothing to install.
    }
    argv.addAll(List.of("list", "--format=freeze", "--disable-pip-version-check", "--no-input"));
    int[] packages = {0};
    CommandResult listed =
        runner.run(
            new Command(argv, Map.of("PYTHONIOENCODING", "utf-8"), venvDir),
            deadline,
            line -> {
              if (line.contains("==") || line.contains(" @ ")) {
                packages[0]++;
              }
            });
    if (!listed.succeeded()) {
      return broken(
          "pip cannot list its packages ("
              + (listed.timedOut() ? "timed out" : "exit code " + listed.exitCode())
              + "): "
              + lastLine(listed.tail()));
    }
    return new Verdict(null, hasPip, packages[0]);
  }

  /** The {@code include-system-site-packages} of its {@code pyvenv.cfg}, or null if unknown. */
  private static Boolean systemSitePackages(Path venvDir) {
    try {
      for (String line :
          Files.readAllLines(venvDir.resolve("pyvenv.cfg"), StandardCharsets.UTF_8)) {
        int equals = line.indexOf('=');
        if (equals > 0
            && line.substring(0, equals).strip().equals("include-system-site-packages")) {
          return line.substring(equals + 1).strip().toLowerCase(Locale.ROOT).equals("true");
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static String lastLine(String tail) {
    return tail.substring(tail.lastIndexOf('\n') + 1);
  }

  private static Verdict broken(String problem) {
    return new Verdict(problem, false, 0);
  }
}
