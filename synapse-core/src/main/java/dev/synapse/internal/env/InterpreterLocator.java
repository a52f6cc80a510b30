package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Turns what the user called the interpreter (a path, a name on PATH, an environment's directory,
 * or nothing) into an executable file, without running it. Lookup on PATH is done here rather than
 * by {@link ProcessBuilder} so that an absent interpreter is reported with the PATH that was
 * searched, and so that the default can fall back from {@code python3} to {@code python}.
 */
final class InterpreterLocator {
  /** The environment variable that overrides the default interpreter. */
  static final String OVERRIDE_VARIABLE = "SYNAPSE_PYTHON";

  private static final boolean WINDOWS = System.getProperty("os.name").startsWith("Windows");

  /** Where an environment directory (a venv or a conda prefix) keeps its interpreter. */
  private static final List<String> IN_ENVIRONMENT =
      List.of("bin/python3", "bin/python", "python.exe", "Scripts/python.exe");

  private InterpreterLocator() {}

  /** Locates {@code requested}, or the default when it is null, on this process's PATH. */
  static Path locate(String requested) {
    return locate(requested, System.getenv(OVERRIDE_VARIABLE), System.getenv("PATH"));
  }

  /**
   * Locates {@code requested}; when it is null, {@code override} (the value of {@value
   * #OVERRIDE_VARIABLE}) if set, else {@code python3} on {@code path}, else {@code python}.
   *
   * @throws SpawnException naming the interpreter and, for a name, the PATH searched
   */
  static Path locate(String requested, String override, String path) {
    if (requested != null) {
      return find(requested, path);
    }
    if (override != null && !override.isBlank()) {
      return find(override.strip(), path);
    }
    return onPath("python3", path)
        .or(() -> onPath("python", path))
        .orElseThrow(
            () ->
                new SpawnException(
                    "No Python interpreter found: neither python3 nor python is on PATH ("
                        + path
                        + "); install Python 3, or set "
                        + OVERRIDE_VARIABLE
                        + " or the interpreter option to its path"));
  }

  private static Path find(String command, String path) {
    if (command.indexOf('/') < 0 && command.indexOf(File.separatorChar) < 0) {
      return onPath(command, path)
          .orElseThrow(
              () ->
                  new SpawnException(
                      "The Python interpreter '" + command + "' is not on PATH (" + path + ")"));
    }
    Path file = Path.of(command).toAbsolutePath();
    if (Files.isDirectory(file)) {
      return inEnvironment(file)
          .orElseThrow(
              () ->
                  new SpawnException(
                      "No Python interpreter in the environment directory "
                          + file
                          + ": expected one of "
                          + IN_ENVIRONMENT));
    }
    if (!Files.exists(file)) {
      throw new SpawnException("The Python interpreter does not exist: " + file);
    }
    if (!Files.isExecutable(file)) {
      throw new SpawnException("The Python interpreter is not executable: " + file);
    }
    return file;
  }

  private static Optional<Path> inEnvironment(Path directory) {
    return IN_ENVIRONMENT.stream()
        .map(directory::resolve)
        .filter(InterpreterLocator::isProgram)
        .findFirst();
  }

  private static Optional<Path> onPath(String name, String path) {
    if (path == null) {
      return Optional.empty();
    }
    List<String> names =
        WINDOWS && !name.contains(".") ? List.of(name + ".exe", name) : List.of(name);
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      for (String candidate : names) {
        try {
          Path file = Path.of(entry, candidate).toAbsolutePath();
          if (isProgram(file)) {
            return Optional.of(file);
          }
        } catch (InvalidPathException e) {
          // A malformed PATH entry cannot hold the interpreter.
        }
      }
    }
    return Optional.empty();
  }

  private static boolean isProgram(Path file) {
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }
}
