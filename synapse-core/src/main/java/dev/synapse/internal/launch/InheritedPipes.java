package dev.synapse.internal.launch;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds processes by the pipes a worker had for stdin and stderr (Linux, through {@code /proc}). A
 * process that a handler started inherits them unless it redirects its standard streams, and keeps
 * them when it moves to another session or is re-parented after the worker died: so it can be found
 * even when no snapshot of the worker's descendants saw it.
 */
final class InheritedPipes {
  private static final Path PROC = Path.of("/proc");
  private static final boolean AVAILABLE = Files.isDirectory(PROC.resolve("self/fd"));

  private InheritedPipes() {}

  /** The pipes on file descriptors 0 to 2 of the process {@code pid}, e.g. {@code pipe:[4711]}. */
  static Set<String> of(long pid) {
    Set<String> pipes = new HashSet<>();
    if (AVAILABLE) {
      for (int fd = 0; fd <= 2; fd++) {
        String target = link(PROC.resolve(pid + "/fd/" + fd));
        if (target != null && target.startsWith("pipe:")) {
          pipes.add(target);
        }
      }
    }
    return pipes;
  }

  /** The processes other than this JVM that hold any of {@code pipes} open. */
  static List<ProcessHandle> holders(Set<String> pipes) {
    List<ProcessHandle> holders = new ArrayList<>();
    if (!AVAILABLE || pipes.isEmpty()) {
      return holders;
    }
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path process : processes) {
        long pid = Long.parseLong(process.getFileName().toString());
        if (pid != self && holds(process, pipes)) {
          ProcessHandle.of(pid).ifPresent(holders::add);
        }
      }
    } catch (IOException | RuntimeException e) {
      // /proc could not be listed: the tracked descendants were killed already.
    }
    return holders;
  }

  private static boolean holds(Path process, Set<String> pipes) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
      for (Path fd : fds) {
        if (pipes.contains(link(fd))) {
          return true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Another user's process, or one that ended meanwhile.
    }
    return false;
  }

  private static String link(Path path) {
    try {
      return Files.readSymbolicLink(path).toString();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
