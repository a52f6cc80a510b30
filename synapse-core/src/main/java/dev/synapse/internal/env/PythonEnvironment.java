package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds or builds the interpreter a module's worker runs on: by default {@code DIR/.venv}, created
 * from a base interpreter and brought up to date with {@code DIR/requirements.txt}.
 *
 * <p>The algorithm, all of it under a {@link VenvLock} on the venv directory:
 *
 * <ol>
 *   <li>Read the venv's {@link VenvStamp}. If it matches the wanted base interpreter, options and
 *       requirements (with every file they include, see {@link RequirementsFile}), and the venv's
 *       interpreter is still there, run the venv as it is: no process is started (the base
 *       interpreter's identity is probed once per JVM, see {@link BaseInterpreter}, and not at all
 *       while the venv remembers the answer of the very same interpreter file, see {@link
 *       KnownBase}).
 *   <li>If the directory is a venv with no stamp file at all, Synapse did not make it: if it is
 *       healthy ({@link VenvAdoption}) it is adopted as it is; if not, it is deleted with a log
 *       line that says why.
 *   <li>Otherwise replace the stamp by an incomplete mark, so that a step that fails from here on
 *       leaves no stamp, and the next prepare starts over.
 *   <li>Unless adopted, empty the directory and run {@code python -m venv}: for a new venv, a
 *       missing interpreter, another base interpreter, location or site-packages option, and also
 *       for changed requirements or pip arguments. A venv is never installed over: re-creating it
 *       is what makes its packages exactly what the requirements ask for, with nothing left behind
 *       that they no longer name (pip's wheel cache keeps the re-install short).
 *   <li>If {@code requirements.txt} has a requirement line, run {@code pip install -r
 *       requirements.txt}; then write the new stamp.
 * </ol>
 *
 * <p>The base interpreter must be Python 3.8 or later ({@link BaseInterpreter#requireSupported}),
 * also when it runs the worker as it is.
 *
 * <p><b>Why venvs are created without pip.</b> Measured on Python 3.11.7 with pip 23.2.1,
 * installing one small wheel offline: {@code python -m venv} (which runs ensurepip) and then the
 * venv's pip takes about 6 s; {@code python -m venv --without-pip} (0.3 s) and then the base
 * interpreter's pip installing into the venv with {@code pip --python VENV_PYTHON install} takes
 * about 1.5 s. So when the base interpreter's pip is 22.3 or later (the first with {@code
 * --python}) the venv gets no pip of its own, and otherwise it gets one (needing ensurepip,
 * Debian's {@code python3-venv}). A requirements file without requirement lines runs no pip at all.
 * The consequence for users: a venv made by Synapse usually has no {@code pip}; use {@code BASE -m
 * pip --python .venv/bin/python}.
 *
 * <p><b>pip configuration.</b> pip runs with the user's configuration (pip.conf, {@code PIP_*}
 * variables), because that is where a site's index, proxy and certificates are set; Synapse adds
 * only {@code --disable-pip-version-check --no-input --progress-bar off}. For a reproducible
 * install, pass {@code --isolated} in the pip arguments and {@code PIP_CONFIG_FILE=/dev/null} in
 * the environment, as the tests do. pip runs in the module directory.
 *
 * <p><b>Cost.</b> Measured with pyenv's {@code python3} shim and one small wheel: a cold prepare
 * (create and install) about 2 s; a warm one 1 to 2 ms, except the first in a JVM, which probes the
 * base interpreter (0.35 s through the shim, 0.07 s for a real executable).
 *
 * <p>{@code requirements.txt} is trusted input, as it is to pip: its options (an index URL,
 * find-links, an editable install) are followed as written; which of them the files set is logged
 * when pip runs.
 */
public final class PythonEnvironment {
  private PythonEnvironment() {}

  /**
   * Returns the interpreter to run the module's worker with, after creating or updating its venv if
   * needed. Blocks while another thread or process prepares the same venv, then reuses its result.
   *
   * @param progress told about finished steps and pip's output, on this thread
   * @throws SpawnException if {@code requirements.txt} is required and missing or includes a file
   *     it cannot (see {@link RequirementsFile}), the interpreter cannot be found or run or is
   *     older than Python 3.8, {@code venv} or pip fails ({@link SpawnException#exitCode()} and
   *     {@link SpawnException#stderrTail()} then hold its exit code and last lines of output) or
   *     outlives the install timeout, or the thread is interrupted (the flag stays set)
   */
  public static Path prepare(EnvironmentSpec spec, EnvironmentProgress progress) {
    return prepare(spec, progress, new ProcessRunner());
  }

  static Path prepare(EnvironmentSpec spec, EnvironmentProgress progress, CommandRunner runner) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(progress, "progress");
    Path moduleDir = spec.moduleDir().toAbsolutePath().normalize();
    String module = moduleDir.getFileName() == null ? "module" : moduleDir.getFileName().toString();
    Logger log = LoggerFactory.getLogger("synapse." + module + ".env");
    Path located = InterpreterLocator.locate(spec.basePython());
    Path venvDir = spec.resolvedVenvDir();
    Optional<BaseInterpreter> recalled =
        spec.useInterpreterAsIs() ? Optional.empty() : KnownBase.recall(venvDir, located);
    BaseInterpreter base = recalled.orElseGet(() -> BaseInterpreter.identify(located, runner));
    base.requireSupported(located);
    if (spec.useInterpreterAsIs()) {
      log.debug("Running on {} as it is, without a venv; requirements are not installed", located);
      return located;
    }
    Path requirementsPath = spec.requirementsFile();
    if (spec.requirementsRequired() && !Files.isRegularFile(requirementsPath)) {
      throw new SpawnException(
          "The module has no requirements file: "
              + requirementsPath
              + " does not exist (list the module's dependencies in it; it may be empty)");
    }
    VenvDirectory.requireSafeToUse(venvDir);
    VenvUpdate update =
        new VenvUpdate(
            spec,
            moduleDir,
            venvDir,
            base,
            runner,
            progress,
            log,
            LoggerFactory.getLogger("synapse." + module + ".pip"));
    try (VenvLock lock = VenvLock.acquire(venvDir, log)) {
      Path python = update.run(RequirementsFile.read(requirementsPath));
      if (recalled.isEmpty()) {
        KnownBase.remember(venvDir, located, base);
      }
      return python;
    }
  }
}
