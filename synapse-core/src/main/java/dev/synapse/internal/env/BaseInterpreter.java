package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an interpreter really is, as it reports itself: a name on PATH may be a shim (pyenv) whose
 * target changes, so only running it tells which Python a venv would be built from.
 *
 * <p>Running a pyenv shim costs about 0.35 s, so each located file's answer is kept for the life of
 * the JVM while the executable it named still exists. A shim switched to another version in the
 * meantime is therefore seen by the next JVM, not by this one.
 *
 * @param executable {@code sys.executable}: the file that creates the venv and runs pip
 * @param version implementation and version, e.g. {@code cpython-3.11.7}
 * @param pipVersion the version of the pip it can import, empty if none
 */
record BaseInterpreter(Path executable, String version, String pipVersion) {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(60);
  private static final String MARKER = "synapse-probe";
  private static final String PROBE =
      String.join(
          "\n",
          "import sys",
          "try:",
          "    import pip",
          "    pip_version = pip.__version__",
          "except Exception:",
          "    pip_version = ''",
          "implementation = getattr(sys, 'implementation', None)",
          "name = implementation.name if implementation else 'cpython'",
          "version = name + '-' + sys.version.split()[0]",
          "print('\\t'.join(['" + MARKER + "', sys.executable or '', version, pip_version]))");
  private static final Map<Path, BaseInterpreter> KNOWN = new ConcurrentHashMap<>();

  /** The oldest Python version Synapse runs on, as major and minor. */
  static final int[] MINIMUM_VERSION = {3, 8};

  /**
   * Fails unless this interpreter is at least {@link #MINIMUM_VERSION}: an older one would start
   * and then die on a missing feature with a traceback that does not say why.
   *
   * @param located the file the user's setting named, for the message
   * @throws SpawnException naming the interpreter, its version and the minimum
   */
  void requireSupported(Path located) {
    String number = version.substring(version.indexOf('-') + 1);
    String[] parts = number.split("\\.");
    int major;
    int minor;
    try {
      major = Integer.parseInt(parts[0]);
      minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
    } catch (NumberFormatException e) {
      return; // An unusual version string: let the worker itself tell.
    }
    if (major < MINIMUM_VERSION[0] || (major == MINIMUM_VERSION[0] && minor < MINIMUM_VERSION[1])) {
      throw new SpawnException(
          "The Python interpreter "
              + located
              + " is Python "
              + number
              + "; Synapse needs Python "
              + MINIMUM_VERSION[0]
              + "."
              + MINIMUM_VERSION[1]
              + " or later (choose another with the python setting or SYNAPSE_PYTHON)");
    }
  }

  /**
   * Whether its pip can install into another interpreter with {@code pip --python} (pip 22.3 and
   * later), which spares the venv a pip of its own.
   */
  boolean pipSupportsPythonOption() {
    String[] parts = pipVersion.split("\\.");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > 22 || (major == 22 && minor >= 3);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Asks {@code located} what it is, or recalls its earlier answer. */
  static BaseInterpreter identify(Path located, CommandRunner runner) {
    BaseInterpreter known = KNOWN.get(located);
    if (known != null && Files.isExecutable(known.executable())) {
      return known;
    }
    BaseInterpreter probed = probe(located, runner);
    KNOWN.put(located, probed);
    return probed;
  }

  /** Runs {@code located} and asks it what it is, without looking at earlier answers. */
  static BaseInterpreter probe(Path located, CommandRunner runner) {
    Command command =
        new Command(
            List.of(located.toString(), "-c", PROBE), Map.of("PYTHONIOENCODING", "utf-8"), null);
    StringBuilder answer = new StringBuilder();
    CommandResult result =
        runner.run(
            command,
            Deadline.after(PROBE_TIMEOUT),
            line -> {
              if (line.startsWith(MARKER + "\t")) {
                answer.append(line);
              }
            });
    String[] fields = answer.toString().split("\t", -1);
    if (!result.succeeded() || fields.length != 4 || fields[1].isEmpty()) {
      String how =
          result.timedOut()
              ? "did not answer within " + PROBE_TIMEOUT.toSeconds() + " s"
              : "exit code " + result.exitCode();
      throw new SpawnException(
          "The Python interpreter "
              + located
              + " could not tell what it is ("
              + how
              + "); is it Python 3?",
          result.exitCode(),
          result.tail(),
          null);
    }
    return new BaseInterpreter(Path.of(fields[1]), fields[2], fields[3]);
  }
}
