package dev.synapse.cli;

import dev.synapse.Synapse;
import dev.synapse.internal.env.EnvironmentSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The environment settings every command shares, mapped onto the same {@link EnvironmentSpec} that
 * {@link Synapse.Builder} makes, so that {@code prepare} leaves the very venv a spawn with these
 * settings reuses (its stamp includes the interpreter, the venv location, the site-packages option
 * and the pip arguments).
 */
final class EnvironmentOptions {
  @Option(
      names = "--python",
      paramLabel = "P",
      description =
          "Base interpreter: a path, a name on PATH, or a venv/conda directory"
              + " (default: $SYNAPSE_PYTHON, else python3).")
  String python;

  @Option(
      names = "--venv",
      paramLabel = "DIR",
      description = "Venv location, relative to the module (default: DIR/.venv).")
  Path venv;

  @Option(names = "--system-site-packages", description = "The venv sees the base's packages.")
  boolean systemSitePackages;

  @Option(
      names = "--as-is",
      description = "Run on --python itself (a prebuilt venv or conda prefix): no venv, no pip.")
  boolean asIs;

  @Option(
      names = "--pip",
      paramLabel = "ARG",
      description =
          "An argument for pip install, repeatable (e.g. --pip=--no-index --pip=--find-links"
              + " --pip=/wheels); must match the spawn's pipArguments.")
  List<String> pipArguments = new ArrayList<>();

  @Option(
      names = "--install-timeout",
      paramLabel = "SECONDS",
      description = "Limit for creating the venv and installing (default: 900; 0: none).")
  long installTimeoutSeconds = EnvironmentSpec.DEFAULT_INSTALL_TIMEOUT.toSeconds();

  @Option(
      names = {"-v", "--verbose"},
      description = "Show Synapse's log lines.")
  boolean verbose;

  /** The spec a spawn of {@code moduleDir} with these settings prepares. */
  EnvironmentSpec spec(Path moduleDir, List<String> extraPipArguments) {
    List<String> pip = new ArrayList<>(pipArguments);
    pip.addAll(extraPipArguments);
    return EnvironmentSpec.of(moduleDir.toAbsolutePath().normalize())
        .withBasePython(python)
        .withVenvDir(venv)
        .withSystemSitePackages(systemSitePackages)
        .withUseInterpreterAsIs(asIs)
        .withPipArguments(pip)
        .withInstallTimeout(Duration.ofSeconds(installTimeoutSeconds));
  }

  /** A builder with these settings. */
  Synapse.Builder builder() {
    Synapse.Builder builder =
        Synapse.builder()
            .systemSitePackages(systemSitePackages)
            .useInterpreterAsIs(asIs)
            .pipArguments(pipArguments.toArray(String[]::new))
            .installTimeout(Duration.ofSeconds(installTimeoutSeconds));
    if (python != null) {
      builder.python(python);
    }
    if (venv != null) {
      builder.venvDirectory(venv);
    }
    return builder;
  }
}
