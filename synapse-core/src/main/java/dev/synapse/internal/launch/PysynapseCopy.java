package dev.synapse.internal.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One copy of pysynapse on disk, {@code COPY/pysynapse/...}, laid out and checked so that nothing
 * another user wrote can be run from it.
 *
 * <p>A copy is good when {@code COPY} is a private directory of the current user (0700), {@code
 * COPY/pysynapse} holds exactly the bundled files with the bundled content plus the marker, and
 * everything else in it is the bytecode cache ({@code __pycache__}, written by workers), and every
 * entry is the current user's. Links are refused anywhere. The modes inside do not matter: no one
 * else can reach through a 0700 directory, and Python creates its cache by the user's umask, which
 * may let the group write.
 */
final class PysynapseCopy {
  static final String PACKAGE_DIR = "pysynapse";
  static final String CACHE_DIR = "__pycache__";
  static final byte[] MARKER_TEXT =
      "This copy of pysynapse was unpacked by Synapse; workers write its bytecode cache.\n"
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  private PysynapseCopy() {}

  /** Writes a complete copy into the empty private directory {@code copy}. */
  static void write(Path copy, BundledPysynapse bundled) throws IOException {
    Path packageDir = Files.createDirectory(copy.resolve(PACKAGE_DIR), PrivateFiles.ownerOnly());
    for (Map.Entry<String, byte[]> file : expected(bundled).entrySet()) {
      Files.write(packageDir.resolve(file.getKey()), file.getValue());
    }
  }

  /** Why {@code copy} must not be run, or null if it is good. */
  static String problem(Path copy, BundledPysynapse bundled) throws IOException {
    String problem = PrivateFiles.notPrivateDirectory(copy);
    if (problem != null) {
      return copy + ": " + problem;
    }
    List<String> top = names(copy);
    if (!top.equals(List.of(PACKAGE_DIR))) {
      return copy + " holds " + top + " instead of " + PACKAGE_DIR + " alone";
    }
    Path packageDir = copy.resolve(PACKAGE_DIR);
    problem = directoryProblem(packageDir);
    if (problem != null) {
      return problem;
    }
    Map<String, byte[]> expected = expected(bundled);
    Set<String> missing = new HashSet<>(expected.keySet());
    for (String name : names(packageDir)) {
      Path entry = packageDir.resolve(name);
      byte[] content = expected.get(name);
      if (content != null) {
        problem = fileProblem(entry, content);
        missing.remove(name);
      } else if (name.equals(CACHE_DIR)) {
        problem = cacheProblem(entry);
      } else {
        problem = entry + " is not part of pysynapse";
      }
      if (problem != null) {
        return problem;
      }
    }
    return missing.isEmpty() ? null : packageDir + " lacks " + missing;
  }

  private static Map<String, byte[]> expected(BundledPysynapse bundled) {
    Map<String, byte[]> files = new java.util.TreeMap<>(bundled.files());
    files.put(PysynapseHome.EXTRACTED_MARKER, MARKER_TEXT);
    return files;
  }

  private static String fileProblem(Path file, byte[] content) throws IOException {
    if (!Files.isRegularFile(file, NOFOLLOW)) {
      return file + " is not a regular file";
    }
    String problem = PrivateFiles.notOwned(file);
    if (problem != null) {
      return file + ": " + problem;
    }
    return Arrays.equals(Files.readAllBytes(file), content)
        ? null
        : file + " differs from the bundled file";
  }

  /** Workers replace cache files while this runs: a file gone meanwhile is no problem. */
  private static String cacheProblem(Path cache) throws IOException {
    String problem = directoryProblem(cache);
    if (problem != null) {
      return problem;
    }
    for (String name : names(cache)) {
      Path file = cache.resolve(name);
      try {
        if (!Files.isRegularFile(file, NOFOLLOW)) {
          return file + " is not a regular file";
        }
        problem = PrivateFiles.notOwned(file);
        if (problem != null) {
          return file + ": " + problem;
        }
      } catch (NoSuchFileException gone) {
        continue;
      }
    }
    return null;
  }

  private static String directoryProblem(Path dir) throws IOException {
    if (!Files.isDirectory(dir, NOFOLLOW)) {
      return dir + " is not a directory";
    }
    String problem = PrivateFiles.notOwned(dir);
    return problem == null ? null : dir + ": " + problem;
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
