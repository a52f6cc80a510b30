package dev.synapse.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Python versions Synapse supports and where this machine has them: one interpreter per minor
 * version, the newest patch release found under the pyenv root.
 *
 * <p>Settings (system properties, set by the build from the parent pom):
 *
 * <ul>
 *   <li>{@code synapse.test.pythonVersions}: the minor versions to test, e.g. {@code 3.8,3.9}.
 *   <li>{@code synapse.test.pythonRoot}: the directory holding one directory per installed version,
 *       e.g. {@code 3.8.18/bin/python3}; by default {@code $PYENV_ROOT/versions} or {@code
 *       ~/.pyenv/versions}.
 *   <li>{@code synapse.test.requireAllPythons}: {@code true} (as {@code scripts/test.sh} and CI set
 *       it) makes a missing version fail its test; otherwise its test is aborted with a message
 *       saying what is missing.
 * </ul>
 */
public final class SupportedPythons {
  private static final String DEFAULT_VERSIONS = "3.8,3.9,3.10,3.11,3.12,3.13";

  private SupportedPythons() {}

  /** The minor versions to test, oldest first. */
  public static List<String> versions() {
    String listed = System.getProperty("synapse.test.pythonVersions", "");
    return Arrays.stream((listed.isBlank() ? DEFAULT_VERSIONS : listed).split("[,\\s]+"))
        .filter(version -> !version.isEmpty())
        .toList();
  }

  /** Whether a version missing from this machine fails its test rather than aborting it. */
  public static boolean allRequired() {
    return Boolean.getBoolean("synapse.test.requireAllPythons");
  }

  /** The directory searched for interpreters. */
  public static Path root() {
    String configured = System.getProperty("synapse.test.pythonRoot", "");
    if (!configured.isBlank()) {
      return Path.of(configured);
    }
    String pyenv = System.getenv("PYENV_ROOT");
    Path base =
        pyenv == null || pyenv.isBlank()
            ? Path.of(System.getProperty("user.home"), ".pyenv")
            : Path.of(pyenv);
    return base.resolve("versions");
  }

  /** The newest installed {@code minor.patch} interpreter of {@code minor}, if any. */
  public static Optional<Path> find(String minor) {
    Pattern release = Pattern.compile(Pattern.quote(minor) + "\\.(\\d+)");
    List<Path> candidates = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root())) {
      dirs.filter(dir -> release.matcher(dir.getFileName().toString()).matches())
          .map(dir -> dir.resolve("bin").resolve("python3"))
          .filter(Files::isExecutable)
          .forEach(candidates::add);
    } catch (IOException e) {
      return Optional.empty();
    }
    return candidates.stream().max(Comparator.comparingInt(python -> patch(python, minor)));
  }

  private static int patch(Path python, String minor) {
    String dir = python.getParent().getParent().getFileName().toString();
    return Integer.parseInt(dir.substring(minor.length() + 1));
  }
}
