package dev.synapse.internal.env;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How {@link PythonEnvironment#prepare} finds or builds the interpreter for a module: an immutable
 * value, checked when it is made, with a {@code with...} copy for each option.
 *
 * @param moduleDir the module's directory, which holds {@code requirements.txt}; pip runs in it, so
 *     relative paths in the requirements and in {@code pipArguments} are relative to it
 * @param basePython the interpreter that creates the venv (or, with {@code useInterpreterAsIs},
 *     runs the worker): a path, a name looked up on PATH, or an environment's directory (a venv or
 *     conda prefix); {@code null} means the environment variable {@code SYNAPSE_PYTHON}, else
 *     {@code python3} on PATH, else {@code python}
 * @param venvDir where the venv lives; {@code null} means {@code moduleDir/.venv}, and a relative
 *     path is relative to {@code moduleDir}
 * @param systemSitePackages create the venv with {@code --system-site-packages}
 * @param pipArguments added to {@code pip install -r requirements.txt}, e.g. {@code --no-index},
 *     {@code --find-links DIR}, {@code --index-url URL}, {@code -c constraints.txt}
 * @param installTimeout how long creating the venv and installing may take together; {@link
 *     Duration#ZERO} means no limit
 * @param useInterpreterAsIs run the worker on {@code basePython} itself (a system Python, a conda
 *     environment): no venv, nothing installed, {@code requirements.txt} neither required nor read
 * @param requirementsRequired fail when {@code requirements.txt} is missing (the original library's
 *     rule); when false, a missing file means a venv with nothing installed
 * @param environment variables set for the {@code venv} and pip processes on top of this JVM's
 *     environment, e.g. {@code PIP_INDEX_URL}
 */
public record EnvironmentSpec(
    Path moduleDir,
    String basePython,
    Path venvDir,
    boolean systemSitePackages,
    List<String> pipArguments,
    Duration installTimeout,
    boolean useInterpreterAsIs,
    boolean requirementsRequired,
    Map<String, String> environment) {

  /** The install timeout of {@link #of}. */
  public static final Duration DEFAULT_INSTALL_TIMEOUT = Duration.ofMinutes(15);

  /** Checks every option; the messages name the offending value. */
  public EnvironmentSpec {
    Objects.requireNonNull(moduleDir, "moduleDir");
    if (basePython != null && basePython.isBlank()) {
      throw new IllegalArgumentException("basePython cannot be blank; use null for the default");
    }
    pipArguments = List.copyOf(Objects.requireNonNull(pipArguments, "pipArguments"));
    Objects.requireNonNull(installTimeout, "installTimeout");
    if (installTimeout.isNegative()) {
      throw new IllegalArgumentException("installTimeout cannot be negative: " + installTimeout);
    }
    environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    for (String name : environment.keySet()) {
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("Not an environment variable name: '" + name + "'");
      }
    }
  }

  /**
   * The defaults: the default interpreter, {@code moduleDir/.venv} without system site-packages, no
   * extra pip arguments, a {@link #DEFAULT_INSTALL_TIMEOUT}, {@code requirements.txt} required.
   */
  public static EnvironmentSpec of(Path moduleDir) {
    return new EnvironmentSpec(
        moduleDir, null, null, false, List.of(), DEFAULT_INSTALL_TIMEOUT, false, true, Map.of());
  }

  /** The venv directory, absolute. */
  public Path resolvedVenvDir() {
    Path base = moduleDir.toAbsolutePath();
    return (venvDir == null ? base.resolve(".venv") : base.resolve(venvDir)).normalize();
  }

  /** {@code moduleDir/requirements.txt}, absolute. */
  public Path requirementsFile() {
    return moduleDir.toAbsolutePath().normalize().resolve("requirements.txt");
  }

  public EnvironmentSpec withBasePython(String python) {
    return with(copy -> copy.basePython = python);
  }

  public EnvironmentSpec withVenvDir(Path dir) {
    return with(copy -> copy.venvDir = dir);
  }

  public EnvironmentSpec withSystemSitePackages(boolean enabled) {
    return with(copy -> copy.systemSitePackages = enabled);
  }

  public EnvironmentSpec withPipArguments(List<String> arguments) {
    return with(copy -> copy.pipArguments = arguments);
  }

  public EnvironmentSpec withInstallTimeout(Duration timeout) {
    return with(copy -> copy.installTimeout = timeout);
  }

  public EnvironmentSpec withUseInterpreterAsIs(boolean asIs) {
    return with(copy -> copy.useInterpreterAsIs = asIs);
  }

  public EnvironmentSpec withRequirementsRequired(boolean required) {
    return with(copy -> copy.requirementsRequired = required);
  }

  public EnvironmentSpec withEnvironment(Map<String, String> variables) {
    return with(copy -> copy.environment = variables);
  }

  /** This spec with the options {@code change} sets, checked as any new spec is. */
  private EnvironmentSpec with(Consumer<Options> change) {
    Options options = new Options(this);
    change.accept(options);
    return options.spec();
  }

  /** The options of a spec, open to change before they make a new spec. */
  private static final class Options {
    Path moduleDir;
    String basePython;
    Path venvDir;
    boolean systemSitePackages;
    List<String> pipArguments;
    Duration installTimeout;
    boolean useInterpreterAsIs;
    boolean requirementsRequired;
    Map<String, String> environment;

    Options(EnvironmentSpec spec) {
      moduleDir = spec.moduleDir;
      basePython = spec.basePython;
      venvDir = spec.venvDir;
      systemSitePackages = spec.systemSitePackages;
      pipArguments = spec.pipArguments;
      installTimeout = spec.installTimeout;
      useInterpreterAsIs = spec.useInterpreterAsIs;
      requirementsRequired = spec.requirementsRequired;
      environment = spec.environment;
    }

    EnvironmentSpec spec() {
      return new EnvironmentSpec(
          moduleDir,
          basePython,
          venvDir,
          systemSitePackages,
          pipArguments,
          installTimeout,
          useInterpreterAsIs,
          requirementsRequired,
          environment);
    }
  }
}
