package dev.synapse.bench.soak;

import dev.synapse.internal.launch.PysynapseHome;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the JVM holds that a soak run must give back: Synapse's threads, file descriptors, child
 * processes, Synapse's temporary files, and the heap in use after a full collection.
 *
 * @param threads the names of live threads whose name starts with {@code synapse-}
 * @param fds the number of open file descriptors ({@code /proc/self/fd}), -1 where unknown
 * @param processes the live descendants of this JVM, as {@code pid command}
 * @param tempFiles Synapse's temporary files and directories
 * @param heapBytes the heap in use after {@link System#gc()}
 */
record Resources(
    List<String> threads, int fds, List<String> processes, Set<String> tempFiles, long heapBytes) {

  /** Takes the figures now (collecting garbage first). */
  static Resources now() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    List<String> threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> name.startsWith("synapse-"))
            .sorted()
            .collect(Collectors.toList());
    List<String> processes =
        ProcessHandle.current()
            .descendants()
            .filter(ProcessHandle::isAlive)
            .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
            .collect(Collectors.toList());
    return new Resources(threads, countFds(), processes, synapseTempFiles(), heap);
  }

  private static int countFds() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * The temporary files this JVM's Synapse makes: owner probes in {@code java.io.tmpdir}, and
   * staging and discarded copies in the directory of pysynapse's copies. (Other names there may be
   * other programs' on a shared machine, so they are not counted.)
   */
  private static Set<String> synapseTempFiles() {
    Set<String> found = new TreeSet<>();
    list(Path.of(System.getProperty("java.io.tmpdir")))
        .filter(name -> name.startsWith("synapse-owner-"))
        .forEach(found::add);
    list(PysynapseHome.directory().getParent())
        .filter(name -> name.startsWith(".staging-") || name.startsWith(".discarded-"))
        .forEach(name -> found.add("pysynapse home: " + name));
    return found;
  }

  private static Stream<String> list(Path directory) {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(p -> p.getFileName().toString()).toList().stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }
}
