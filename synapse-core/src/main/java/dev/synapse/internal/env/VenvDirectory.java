package dev.synapse.internal.env;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The layout of a venv directory as Synapse uses it: the interpreter inside it, and two files of
 * its own, the lock ({@value #LOCK_FILE}) and the stamp ({@value VenvStamp#FILE}). The lock lives
 * inside the venv, and a re-creation empties the directory around it instead of deleting it,
 * because a lock file that is deleted while held no longer excludes anybody.
 *
 * <p>Because re-creating a venv deletes what is in it, a directory that is neither empty nor a venv
 * ({@code pyvenv.cfg}) nor Synapse's (its lock file) is refused rather than emptied: a venv option
 * that points at the wrong directory must not cost the user its contents.
 */
final class VenvDirectory {
  static final String LOCK_FILE = "synapse.lock";
  private static final boolean WINDOWS = System.getProperty("os.name").startsWith("Windows");

  private VenvDirectory() {}

  /** The interpreter of the venv at {@code venvDir}. */
  static Path python(Path venvDir) {
    return WINDOWS
        ? venvDir.resolve("Scripts").resolve("python.exe")
        : venvDir.resolve("bin").resolve("python");
  }

  /** Whether the venv's interpreter is there and executable (for a symlink: its target). */
  static boolean hasPython(Path venvDir) {
    return Files.isExecutable(python(venvDir));
  }

  /**
   * Fails unless {@code venvDir} is absent, empty, a venv or Synapse's, i.e. safe to empty.
   *
   * @throws SpawnException naming the directory
   */
  static void requireSafeToUse(Path venvDir) {
    if (!Files.exists(venvDir)) {
      return;
    }
    if (!Files.isDirectory(venvDir)) {
      throw new SpawnException(
          "The virtual environment location is a file, not a directory: " + venvDir);
    }
    // One listing, not a check for the two names followed by a listing: another thread or process
    // may create the lock file between the two, and its venv would look like a stranger's.
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(venvDir)) {
      boolean hasFiles = false;
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.equals("pyvenv.cfg") || name.equals(LOCK_FILE)) {
          return;
        }
        hasFiles = true;
      }
      if (hasFiles) {
        throw new SpawnException(
            "Refusing to use "
                + venvDir
                + " as the virtual environment: it is a directory"
                + " with files but no pyvenv.cfg, so it is not a venv; delete it or choose another venv location");
      }
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot read the virtual environment directory " + venvDir + ": " + IoErrors.reason(e),
          e);
    }
  }

  /**
   * Deletes everything in {@code venvDir} except the lock file and the stamp (by now the mark of an
   * incomplete change), without following symbolic links.
   */
  static void empty(Path venvDir) {
    Path lock = venvDir.resolve(LOCK_FILE);
    Path stamp = venvDir.resolve(VenvStamp.FILE);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(venvDir)) {
      for (Path entry : entries) {
        if (!entry.equals(lock) && !entry.equals(stamp)) {
          deleteTree(entry);
        }
      }
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot empty the virtual environment "
              + venvDir
              + " to re-create it: "
              + IoErrors.describe(e),
          e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.delete(root);
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException failure)
              throws IOException {
            if (failure != null) {
              throw failure;
            }
            Files.delete(directory);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
