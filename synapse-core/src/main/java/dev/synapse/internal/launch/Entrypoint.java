package dev.synapse.internal.launch;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A module's entrypoint file, resolved inside its directory. A spawn names a file relative to a
 * directory it trusts; an entrypoint that leads out of it ({@code ../elsewhere/evil}, an absolute
 * path, a symbolic link to a file outside) would run code from a place the caller never named, so
 * it is refused.
 *
 * @param script the entrypoint file, inside the directory (not resolved through links)
 * @param module the entrypoint's name without {@code .py}
 */
public record Entrypoint(Path script, String module) {
  /**
   * Resolves {@code entrypoint} (with or without {@code .py}) in {@code directory}.
   *
   * @param directory the module directory, absolute and normalized; it must exist
   * @throws IllegalArgumentException if the entrypoint does not resolve inside the directory,
   *     following symbolic links too
   * @throws SpawnException naming the path if the entrypoint file does not exist
   */
  public static Entrypoint resolve(Path directory, String entrypoint) {
    String module =
        entrypoint.endsWith(".py") ? entrypoint.substring(0, entrypoint.length() - 3) : entrypoint;
    Path relative;
    try {
      relative = Path.of(module + ".py");
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          "The entrypoint '" + entrypoint + "' is not a valid file name: " + e.getMessage(), e);
    }
    if (relative.isAbsolute() || relative.getRoot() != null) {
      throw outside(directory, entrypoint, "an absolute path");
    }
    Path script = directory.resolve(relative).normalize();
    if (!script.startsWith(directory) || script.equals(directory)) {
      throw outside(directory, entrypoint, script.toString());
    }
    if (!Files.isRegularFile(script)) {
      throw new SpawnException("The entrypoint does not exist: " + script);
    }
    Path real;
    try {
      real = script.toRealPath();
      if (!real.startsWith(directory.toRealPath())) {
        throw outside(directory, entrypoint, real + " (through a symbolic link)");
      }
    } catch (IOException e) {
      throw new SpawnException("Cannot resolve the entrypoint " + script + ": " + e, e);
    }
    return new Entrypoint(script, module);
  }

  private static IllegalArgumentException outside(Path directory, String entrypoint, String is) {
    return new IllegalArgumentException(
        "The entrypoint must resolve inside the module directory "
            + directory
            + ", but '"
            + entrypoint
            + "' is "
            + is);
  }
}
