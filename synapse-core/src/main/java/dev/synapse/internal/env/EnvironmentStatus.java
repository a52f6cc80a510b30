package dev.synapse.internal.env;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link PythonEnvironment#prepare} would find and do for a spec, found out without changing
 * anything: for a check before deployment ({@code synapse doctor}). Runs the interpreter probe and,
 * for a venv Synapse did not make, the same health check a spawn runs.
 *
 * @param interpreter the interpreter file the settings name
 * @param baseVersion its implementation and version, e.g. {@code cpython-3.11.7}
 * @param pipVersion the version of the pip it imports, empty if none
 * @param venvDir the venv directory, or null when the interpreter runs the worker as it is
 * @param state what a spawn would do with the venv
 * @param detail why, for the states other than {@link State#UP_TO_DATE} and {@link State#AS_IS}
 * @param fileOptions the pip options the requirements set themselves, as {@code option (file:line)}
 * @param workerPython the interpreter a worker would run on once the venv is ready
 */
public record EnvironmentStatus(
    Path interpreter,
    String baseVersion,
    String pipVersion,
    Path venvDir,
    State state,
    String detail,
    List<String> fileOptions,
    Path workerPython) {

  /** What a spawn would do with the venv. */
  public enum State {
    /** The interpreter runs the worker itself; there is no venv. */
    AS_IS,
    /** The venv matches its stamp: a spawn starts no pip and no venv process. */
    UP_TO_DATE,
    /** There is no venv yet: a spawn creates it and installs the requirements. */
    MISSING,
    /** A spawn would delete and re-create the venv, for the reason in {@code detail}. */
    STALE,
    /** A venv Synapse did not make, healthy: a spawn adopts it and installs the requirements. */
    ADOPTABLE
  }

  public EnvironmentStatus {
    fileOptions = List.copyOf(fileOptions);
  }

  /**
   * Inspects what a spawn with {@code spec} would use.
   *
   * @throws dev.synapse.SpawnException for what would fail the spawn before any venv step: no
   *     interpreter, one older than Python 3.8, a missing requirements file or a bad include, a
   *     venv location that is not a venv
   */
  public static EnvironmentStatus inspect(EnvironmentSpec spec) {
    ProcessRunner runner = new ProcessRunner();
    Path located = InterpreterLocator.locate(spec.basePython());
    BaseInterpreter base = BaseInterpreter.identify(located, runner);
    base.requireSupported(located);
    if (spec.useInterpreterAsIs()) {
      return new EnvironmentStatus(
          located, base.version(), base.pipVersion(), null, State.AS_IS, "", List.of(), located);
    }
    Path requirementsPath = spec.requirementsFile();
    if (spec.requirementsRequired() && !Files.isRegularFile(requirementsPath)) {
      throw new dev.synapse.SpawnException(
          "The module has no requirements file: " + requirementsPath + " does not exist");
    }
    RequirementsFile requirements = RequirementsFile.read(requirementsPath);
    Path venvDir = spec.resolvedVenvDir();
    VenvDirectory.requireSafeToUse(venvDir);
    VenvStamp wanted = VenvUpdate.wantedStamp(spec, venvDir, base, requirements);
    Optional<VenvStamp> current = VenvStamp.read(venvDir);
    State state;
    String detail = "";
    if (VenvUpdate.upToDate(venvDir, current, wanted)) {
      state = State.UP_TO_DATE;
    } else if (current.isEmpty()
        && !VenvStamp.present(venvDir)
        && Files.exists(venvDir.resolve("pyvenv.cfg"))) {
      VenvAdoption.Verdict verdict =
          VenvAdoption.examine(
              venvDir,
              base,
              spec.systemSitePackages(),
              wanted.venvPip(),
              runner,
              Deadline.after(spec.installTimeout()));
      state = verdict.healthy() ? State.ADOPTABLE : State.STALE;
      detail =
          verdict.healthy()
              ? "a venv Synapse did not make, healthy: a spawn adopts it"
              : "it was not made by Synapse and is not usable: " + verdict.problem();
    } else {
      detail = VenvUpdate.recreateReason(venvDir, current, wanted);
      state = Files.exists(venvDir.resolve("pyvenv.cfg")) ? State.STALE : State.MISSING;
    }
    return new EnvironmentStatus(
        located,
        base.version(),
        base.pipVersion(),
        venvDir,
        state,
        detail,
        requirements.fileOptions(),
        VenvDirectory.python(venvDir));
  }
}
