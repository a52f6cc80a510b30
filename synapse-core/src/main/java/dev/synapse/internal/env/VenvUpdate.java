package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import dev.synapse.SpawnPhase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The steps that bring one venv up to date, run by {@link PythonEnvironment#prepare} while it holds
 * the venv's lock; that class's Javadoc describes the algorithm and why pip runs as it does.
 */
final class VenvUpdate {
  private final EnvironmentSpec spec;
  private final Path moduleDir;
  private final Path venvDir;
  private final Path venvPython;
  private final BaseInterpreter base;
  private final CommandRunner runner;
  private final EnvironmentProgress progress;
  private final Logger log;
  private final Logger pipLog;

  VenvUpdate(
      EnvironmentSpec spec,
      Path moduleDir,
      Path venvDir,
      BaseInterpreter base,
      CommandRunner runner,
      EnvironmentProgress progress,
      Logger log,
      Logger pipLog) {
    this.spec = spec;
    this.moduleDir = moduleDir;
    this.venvDir = venvDir;
    this.venvPython = VenvDirectory.python(venvDir);
    this.base = base;
    this.runner = runner;
    this.progress = progress;
    this.log = log;
    this.pipLog = pipLog;
  }

  /** The stamp of a venv at {@code venvDir} that is up to date with these settings. */
  static VenvStamp wantedStamp(
      EnvironmentSpec spec, Path venvDir, BaseInterpreter base, RequirementsFile requirements) {
    return new VenvStamp(
        base.executable().toString(),
        base.version(),
        venvDir.toString(),
        spec.systemSitePackages(),
        requirements.hasRequirements() && !base.pipSupportsPythonOption(),
        requirements.sha256(),
        spec.pipArguments());
  }

  /** Whether the venv stamped {@code current} can run as it is. */
  static boolean upToDate(Path venvDir, Optional<VenvStamp> current, VenvStamp wanted) {
    return current.isPresent()
        && VenvDirectory.hasPython(venvDir)
        && current.get().sameVenv(wanted)
        && current.get().sameInstall(wanted);
  }

  Path run(RequirementsFile requirements) {
    VenvStamp wanted = wantedStamp(spec, venvDir, base, requirements);
    boolean needsVenvPip = wanted.venvPip();
    Optional<VenvStamp> current = VenvStamp.read(venvDir);
    if (upToDate(venvDir, current, wanted)) {
      log.debug("{} is up to date", venvDir);
      return venvPython;
    }
    Deadline deadline = Deadline.after(spec.installTimeout());
    boolean foreign = current.isEmpty() && !VenvStamp.present(venvDir);
    VenvAdoption.Verdict adoption = null;
    if (foreign && Files.exists(venvDir.resolve("pyvenv.cfg"))) {
      adoption =
          VenvAdoption.examine(
              venvDir, base, spec.systemSitePackages(), needsVenvPip, runner, deadline);
    }
    String reason =
        adoption == null
            ? recreateReason(venvDir, current, wanted)
            : "it was not made by Synapse and is not usable: " + adoption.problem();
    try {
      VenvStamp.markIncomplete(venvDir);
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot write the stamp of " + venvDir + ": " + IoErrors.reason(e), e);
    }
    boolean venvHasPip;
    if (adoption != null && adoption.healthy()) {
      notice(
          false,
          "Adopting "
              + venvDir
              + ", a virtual environment that Synapse did not make ("
              + (adoption.packages() < 0 ? "packages unknown" : adoption.packages() + " packages")
              + "): its packages stay, the requirements are installed into it, and from now on"
              + " a change of the requirements re-creates it");
      venvHasPip = adoption.hasPip();
    } else {
      if (adoption != null || current.isPresent()) {
        notice(true, "Deleting and re-creating the virtual environment " + venvDir + ": " + reason);
      } else {
        notice(false, "Creating the virtual environment " + venvDir + " (" + reason + ")");
      }
      create(needsVenvPip, deadline);
      venvHasPip = needsVenvPip;
    }
    if (requirements.hasRequirements()) {
      install(requirements, deadline);
    }
    try {
      wanted.withVenvPip(venvHasPip).write(venvDir);
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot write the stamp of " + venvDir + ": " + IoErrors.reason(e), e);
    }
    return venvPython;
  }

  /** Why a venv that is not up to date and not adopted is (re-)created. */
  static String recreateReason(Path venvDir, Optional<VenvStamp> current, VenvStamp wanted) {
    if (current.isEmpty()) {
      return VenvStamp.present(venvDir)
          ? "an earlier preparation of it did not finish"
          : "it does not exist";
    }
    if (!VenvDirectory.hasPython(venvDir)) {
      return "its interpreter " + VenvDirectory.python(venvDir) + " is missing or broken";
    }
    VenvStamp stamp = current.get();
    if (!stamp.sameVenv(wanted)) {
      return "it was made by "
          + stamp.baseExecutable()
          + " ("
          + stamp.baseVersion()
          + ") at "
          + stamp.venvPath()
          + (stamp.systemSitePackages() ? " with" : " without")
          + " system site-packages; wanted "
          + wanted.baseExecutable()
          + " ("
          + wanted.baseVersion()
          + ") at "
          + wanted.venvPath()
          + (wanted.systemSitePackages() ? " with" : " without")
          + " system site-packages"
          + (wanted.venvPip() && !stamp.venvPip() ? " and a pip of its own" : "");
    }
    return "the requirements (or a file they include) or the pip arguments changed, and a"
        + " fresh venv leaves no package behind that they no longer ask for";
  }

  private void create(boolean withPip, Deadline deadline) {
    long start = System.nanoTime();
    VenvDirectory.empty(venvDir);
    List<String> argv = new ArrayList<>(List.of(base.executable().toString(), "-m", "venv"));
    if (spec.systemSitePackages()) {
      argv.add("--system-site-packages");
    }
    if (!withPip) {
      argv.add("--without-pip");
    }
    argv.add(venvDir.toString());
    Command command = new Command(argv, processEnvironment(), moduleDir);
    CommandResult result = runner.run(command, deadline, line -> log.info("venv: {}", line));
    if (!result.succeeded()) {
      throw failure(
          "Cannot create the virtual environment " + venvDir + ": '" + command.display() + "'",
          result);
    }
    if (!VenvDirectory.hasPython(venvDir)) {
      throw new SpawnException(
          "'" + command.display() + "' succeeded but left no interpreter at " + venvPython);
    }
    reportPhase(SpawnPhase.CREATING_VENV, start);
  }

  private void install(RequirementsFile requirements, Deadline deadline) {
    long start = System.nanoTime();
    List<String> argv = new ArrayList<>();
    if (base.pipSupportsPythonOption()) {
      argv.addAll(
          List.of(
              base.executable().toString(),
              "-m",
              "pip",
              "--python",
              venvPython.toString(),
              "install"));
    } else {
      argv.addAll(List.of(venvPython.toString(), "-m", "pip", "install"));
    }
    argv.addAll(List.of("--disable-pip-version-check", "--no-input", "--progress-bar", "off"));
    argv.addAll(List.of("-r", requirements.path().toString()));
    argv.addAll(spec.pipArguments());
    Command command = new Command(argv, processEnvironment(), moduleDir);
    if (!requirements.fileOptions().isEmpty()) {
      notice(
          false,
          "The requirements set where pip gets packages from: "
              + String.join(", ", requirements.fileOptions())
              + "; pip follows them as written (a requirements file is trusted input, as it is"
              + " to pip)");
    }
    log.info("Installing {} into {}: {}", requirements.path(), venvDir, command.display());
    CommandResult result = runner.run(command, deadline, this::pipOutput);
    if (!result.succeeded()) {
      throw failure("pip could not install " + requirements.path() + " into " + venvDir, result);
    }
    reportPhase(SpawnPhase.INSTALLING, start);
  }

  private SpawnException failure(String what, CommandResult result) {
    if (result.timedOut()) {
      return new SpawnException(
          what
              + ": not finished within the install timeout of "
              + describe(spec.installTimeout())
              + "; it was killed with its child processes",
          null,
          result.tail(),
          null);
    }
    return new SpawnException(
        what + " (exit code " + result.exitCode() + ")", result.exitCode(), result.tail(), null);
  }

  private void pipOutput(String line) {
    pipLog.info("{}", line);
    try {
      progress.installOutput(line);
    } catch (RuntimeException e) {
      log.warn("The progress listener failed on a line of pip's output", e);
    }
  }

  private void notice(boolean warning, String message) {
    if (warning) {
      log.warn("{}", message);
    } else {
      log.info("{}", message);
    }
    try {
      progress.notice(message);
    } catch (RuntimeException e) {
      log.warn("The progress listener failed on a notice", e);
    }
  }

  private void reportPhase(SpawnPhase phase, long startNanos) {
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    log.info("{} of {} took {} ms", phase, venvDir, millis);
    try {
      progress.phase(phase, millis);
    } catch (RuntimeException e) {
      log.warn("The progress listener failed on phase {}", phase, e);
    }
  }

  private Map<String, String> processEnvironment() {
    Map<String, String> environment = new HashMap<>(spec.environment());
    environment.put("PYTHONIOENCODING", "utf-8");
    environment.put("PYTHONUNBUFFERED", "1");
    return environment;
  }

  private static String describe(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
