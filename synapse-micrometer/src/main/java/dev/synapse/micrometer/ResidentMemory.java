package dev.synapse.micrometer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;

/**
 * The resident memory of processes, from {@code /proc/PID/status} ({@code VmRSS}), which only Linux
 * has; read when a gauge is read, so nothing runs between scrapes.
 */
final class ResidentMemory {
  private static final boolean SUPPORTED = Files.isReadable(Path.of("/proc/self/status"));

  private ResidentMemory() {}

  /** The resident bytes of {@code pids} together; NaN where it cannot be read. */
  static double total(Collection<Long> pids) {
    if (!SUPPORTED) {
      return Double.NaN;
    }
    long sum = 0;
    for (long pid : pids) {
      sum += bytes(pid);
    }
    return sum;
  }

  /** The resident bytes of process {@code pid}; 0 if it is gone. */
  static long bytes(long pid) {
    try {
      for (String line :
          Files.readAllLines(
              Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.ISO_8859_1)) {
        if (line.startsWith("VmRSS:")) {
          String value = line.substring("VmRSS:".length()).trim();
          int space = value.indexOf(' ');
          return Long.parseLong(space < 0 ? value : value.substring(0, space)) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0; // it ended between the event and this read
    }
    return 0;
  }
}
