package dev.synapse.internal.launch;

import dev.synapse.SpawnException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pysynapse} package that ships inside this library's jar, copied once per version to a
 * directory private to the current user that goes first on every worker's {@code PYTHONPATH}, so
 * that a module can {@code import pysynapse} without any pip install.
 *
 * <p>Copies live in Synapse's directory of the user, {@value #HOME_PROPERTY} if that system
 * property is set, else the user's cache directory ({@code $XDG_CACHE_HOME/synapse} or {@code
 * ~/.cache/synapse}; {@code ~/Library/Caches/synapse} on macOS; {@code %LOCALAPPDATA%\synapse} on
 * Windows), else, when that cannot be used, {@code java.io.tmpdir/synapse-<user name>}. That
 * directory and each copy ({@code pysynapse-<hash of the files>}) are made owner-only (0700). A
 * copy is written under a temporary name and renamed into place, so concurrent JVMs never see half
 * a copy, and it is checked before every first use in a JVM (owner, mode, the content of every
 * file, see {@link PysynapseCopy}): a copy that fails the check is replaced; a directory that
 * cannot be made safe (another user's) is refused with a {@link SpawnException}, and nothing in it
 * runs.
 *
 * <p>The package in a copy holds a marker file, {@value #EXTRACTED_MARKER}, by which a worker knows
 * the copy is Synapse's to write Python's bytecode cache into even when {@code
 * PYTHONDONTWRITEBYTECODE} is set (see pysynapse's bootstrap).
 */
public final class PysynapseHome {
  /** The file that marks the extracted package as Synapse's. */
  public static final String EXTRACTED_MARKER = ".extracted-by-synapse";

  /** The system property that names Synapse's directory of the user. */
  public static final String HOME_PROPERTY = "synapse.home";

  private static final Logger LOG = LoggerFactory.getLogger(PysynapseHome.class);
  private static final int ATTEMPTS = 3;
  private static volatile Path home;

  private PysynapseHome() {}

  /** The directory holding {@code pysynapse/}, unpacking and checking it on first use. */
  public static Path directory() {
    Path found = home;
    if (found == null) {
      synchronized (PysynapseHome.class) {
        found = home;
        if (found == null) {
          found = unpackIntoFirstUsable(candidateRoots());
          home = found;
        }
      }
    }
    return found;
  }

  /**
   * A good copy of the bundled package in {@code root}: the one there if it passes the check, else
   * a fresh one.
   *
   * @return the copy's directory, which holds {@code pysynapse/}
   * @throws SpawnException if {@code root} is not the current user's, or no good copy can be made
   */
  public static Path unpack(Path root) {
    try {
      BundledPysynapse bundled = BundledPysynapse.read();
      makePrivate(root);
      Path copy = root.resolve("pysynapse-" + bundled.versionHash());
      String problem = null;
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
          problem = PysynapseCopy.problem(copy, bundled);
          if (problem == null) {
            return copy;
          }
          LOG.warn("Replacing a copy of pysynapse that must not be run: {}", problem);
          discard(root, copy, problem);
        }
        install(root, copy, bundled);
      }
      problem = PysynapseCopy.problem(copy, bundled);
      if (problem == null) {
        return copy;
      }
      throw new SpawnException("Cannot make a good copy of pysynapse in " + root + ": " + problem);
    } catch (IOException e) {
      throw new SpawnException(
          "Cannot unpack the bundled pysynapse package into " + root + ": " + e, e);
    }
  }

  private static Path unpackIntoFirstUsable(List<Path> roots) {
    SpawnException first = null;
    for (Path root : roots) {
      try {
        return unpack(root);
      } catch (SpawnException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    throw first;
  }

  private static List<Path> candidateRoots() {
    String configured = System.getProperty(HOME_PROPERTY, "");
    if (!configured.isBlank()) {
      return List.of(Path.of(configured).toAbsolutePath());
    }
    List<Path> roots = new ArrayList<>(2);
    Path cache = userCacheDirectory();
    if (cache != null) {
      roots.add(cache.resolve("synapse"));
    }
    String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
    roots.add(Path.of(System.getProperty("java.io.tmpdir"), "synapse-" + user).toAbsolutePath());
    return roots;
  }

  private static Path userCacheDirectory() {
    String os = System.getProperty("os.name", "");
    if (os.startsWith("Windows")) {
      return absoluteOrNull(System.getenv("LOCALAPPDATA"));
    }
    Path userHome = absoluteOrNull(System.getProperty("user.home"));
    if (os.startsWith("Mac")) {
      return userHome == null ? null : userHome.resolve("Library/Caches");
    }
    Path xdg = absoluteOrNull(System.getenv("XDG_CACHE_HOME"));
    return xdg != null ? xdg : userHome == null ? null : userHome.resolve(".cache");
  }

  private static Path absoluteOrNull(String path) {
    if (path == null || path.isBlank()) {
      return null;
    }
    Path candidate = Path.of(path);
    return candidate.isAbsolute() ? candidate : null;
  }

  /** Creates {@code root} owner-only, or makes an existing one of the current user so. */
  private static void makePrivate(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(root.getParent());
      try {
        Files.createDirectory(root, PrivateFiles.ownerOnly());
      } catch (FileAlreadyExistsException raced) {
        // Made meanwhile by another JVM (or user): checked below like any existing one.
      }
    }
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) && PrivateFiles.notOwned(root) == null) {
      PrivateFiles.restrictToOwner(root); // what others may have put in it meanwhile is checked
    }
    String problem = PrivateFiles.notPrivateDirectory(root);
    if (problem != null) {
      throw new SpawnException(
          "Refusing to keep Synapse's copy of pysynapse in " + root + ": " + problem);
    }
  }

  /** Writes a copy under a temporary name and renames it into place, unless one is there now. */
  private static void install(Path root, Path copy, BundledPysynapse bundled) throws IOException {
    Path staging = Files.createTempDirectory(root, ".staging-", PrivateFiles.ownerOnly());
    try {
      PysynapseCopy.write(staging, bundled);
      Files.move(staging, copy, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Linux reports a rename onto a directory that is not empty as a bare FileSystemException.
      if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
      // Another JVM renamed its copy into place first; the caller checks that one.
    } finally {
      if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(staging);
      }
    }
  }

  /** Moves a bad copy out of the way (one rename, so no worker finds half of it) and deletes it. */
  private static void discard(Path root, Path copy, String problem) {
    Path discarded = root.resolve(".discarded-" + System.nanoTime());
    try {
      Files.move(copy, discarded, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException raced) {
      return; // another JVM discarded it first
    } catch (IOException e) {
      throw new SpawnException(
          "Refusing to run the copy of pysynapse at "
              + copy
              + " ("
              + problem
              + ") and cannot move it away: "
              + e,
          e);
    }
    try {
      deleteTree(discarded);
    } catch (IOException e) {
      LOG.warn("Cannot delete the discarded copy of pysynapse {}: {}", discarded, e.toString());
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
